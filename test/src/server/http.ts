/**
 * HTTP front of the server: authentication, fault injection, the request log, routing of
 * API paths (the apiserver's RequestInfo rules) to the registry layer, body decoding and
 * response encoding (JSON, Tables for kubectl, watch streams).
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { load as loadYaml } from 'js-yaml';
import {
  ApiServer,
  PATCH_CONTENT_TYPES,
  apiVersionOfType,
  gr,
  type DeleteOptions,
  type ListQuery,
} from './api';
import type { Auth, Identity } from './auth';
import { AGGREGATED_V2, Discovery, versionInfo, wantsAggregated } from './discovery';
import { OpenApi } from './openapi';
import { decodeProtobuf } from './protobuf';
import { review } from './reviews';
import type { Faults } from './faults';
import { isObject, type KubeObject } from './json';
import { keyOf } from './registry';
import type { ResourceType } from './resources';
import { itemJson, listJson, objectJson } from './serialize';
import {
  ApiError,
  badRequest,
  expired,
  internalError,
  notFoundPath,
  tooManyRequests,
  unsupportedMediaType,
} from './status';
import { toTable, wantsTable } from './table';
import type { Watches } from './watch';

export interface RequestRecord {
  method: string;
  path: string;
  query: string;
  contentType?: string;
  userAgent?: string;
  status: number;
}

/** The node's kubelet endpoints the server proxies to (when the cluster has a node). */
export interface PodLogs {
  serveLog(
    namespace: string,
    name: string,
    query: URLSearchParams,
    req: IncomingMessage,
    res: ServerResponse,
  ): number;
}

export interface HttpOptions {
  gitVersion: string;
  /** Serves `pods/log` when the cluster runs a node. */
  podLogs?: () => PodLogs | undefined;
  recordRequests: boolean;
  requests: RequestRecord[];
  serverAddress: () => string;
}

/** The API server's request body limit. */
const MAX_BODY = 3 * 1024 * 1024;

const HEALTH_PATHS = new Set(['/healthz', '/livez', '/readyz']);

interface ResourceRequest {
  type: ResourceType;
  namespace?: string;
  name?: string;
  subresource?: string;
  verb: string;
}

export class RequestHandler {
  private readonly discovery: Discovery;
  private readonly openapi: OpenApi;

  constructor(
    private readonly api: ApiServer,
    private readonly auth: Auth,
    private readonly faults: Faults,
    private readonly watches: Watches,
    private readonly options: HttpOptions,
  ) {
    this.discovery = new Discovery(api.registry, options.serverAddress);
    this.openapi = new OpenApi(api.registry);
  }

  handle(req: IncomingMessage, res: ServerResponse): void {
    const method = req.method ?? 'GET';
    const rawUrl = req.url ?? '/';
    const q = rawUrl.indexOf('?');
    const path = normalizePath(q < 0 ? rawUrl : rawUrl.slice(0, q));
    const rawQuery = q < 0 ? '' : rawUrl.slice(q + 1);
    const record = (status: number) => {
      if (!this.options.recordRequests) return;
      this.options.requests.push({
        method,
        path,
        query: rawQuery,
        contentType: req.headers['content-type'],
        userAgent: req.headers['user-agent'],
        status,
      });
    };
    const chunks: Buffer[] = [];
    let size = 0;
    let tooLarge = false;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BODY) tooLarge = true;
      else chunks.push(chunk);
    });
    req.on('end', () => {
      let status: number;
      try {
        if (tooLarge) {
          throw new ApiError(
            413,
            'RequestEntityTooLarge',
            `Request entity too large: limit is ${MAX_BODY}`,
          );
        }
        const identity = this.auth.authenticate(req.headers.authorization, path);
        if (this.faults.takeThrottle({ method, path, query: rawQuery })) throw tooManyRequests(1);
        status = this.route(
          req,
          res,
          method,
          path,
          new URLSearchParams(rawQuery),
          Buffer.concat(chunks),
          identity,
        );
      } catch (error) {
        status = sendError(res, error);
      }
      record(status);
    });
  }

  private route(
    req: IncomingMessage,
    res: ServerResponse,
    method: string,
    path: string,
    query: URLSearchParams,
    body: Buffer,
    identity: Identity | undefined,
  ): number {
    if (path === '/version')
      return sendJson(res, 200, JSON.stringify(versionInfo(this.options.gitVersion)));
    if (HEALTH_PATHS.has(path)) {
      res.writeHead(200, { 'Content-Type': 'text/plain; charset=utf-8' });
      res.end('ok');
      return 200;
    }
    if (!identity) throw badRequest('unreachable: anonymous request');
    if (path === '/openapi/v3' || path.startsWith('/openapi/v3/')) {
      const doc = this.openapi.serve(path);
      if (!doc) throw notFoundPath();
      return sendJson(res, 200, doc);
    }
    const resource = parseResourcePath(path);
    if (!resource) {
      if (method !== 'GET') throw methodNotAllowed();
      const doc = this.discovery.document(path, wantsAggregated(req.headers.accept));
      if (!doc) throw notFoundPath();
      return sendJson(
        res,
        200,
        doc.json,
        doc.contentType === AGGREGATED_V2 ? AGGREGATED_V2 : undefined,
      );
    }
    const info = this.requestInfo(method, resource.group, resource.version, resource.parts, query);
    const denied = this.auth.authorize(
      identity,
      info.verb,
      info.type,
      info.namespace,
      info.name,
      info.subresource,
    );
    if (denied) throw denied;
    if (info.subresource === 'log')
      return this.options.podLogs!()!.serveLog(info.namespace!, info.name!, query, req, res);
    if (info.type.review && info.verb === 'create') {
      const decoded = decodeBody(
        body,
        (req.headers['content-type'] ?? '').split(';')[0].trim().toLowerCase(),
      );
      return sendJson(
        res,
        201,
        JSON.stringify(review(this.auth, identity, info.type, info.namespace, decoded)),
      );
    }
    return this.serve(req, res, info, query, body);
  }

  private requestInfo(
    method: string,
    group: string,
    version: string,
    parts: string[],
    query: URLSearchParams,
  ): ResourceRequest {
    let rest = parts;
    let namespace: string | undefined;
    if (rest[0] === 'namespaces' && rest.length > 1) {
      namespace = rest[1];
      if (rest.length > 2 && rest[2] !== 'status' && rest[2] !== 'finalize') rest = rest.slice(2);
    }
    const [resource, name, subresource, ...extra] = rest;
    const type = this.api.registry.lookup(group, version, resource);
    if (!type || extra.length > 0) throw notFoundPath();
    if (resource === 'namespaces' && !group) namespace = undefined;
    if (namespace !== undefined && !type.namespaced) throw notFoundPath();
    if (!type.namespaced) namespace = undefined;
    if (subresource) {
      const ok =
        (subresource === 'status' && type.status) ||
        (subresource === 'scale' && type.scale) ||
        (subresource === 'finalize' && resource === 'namespaces' && !group) ||
        (subresource === 'log' && resource === 'pods' && !group && !!this.options.podLogs?.());
      if (!ok) throw notFoundPath();
    }
    if (type.namespaced && namespace === undefined && (name || method !== 'GET')) {
      throw name ? notFoundPath() : methodNotAllowed();
    }
    const watch = query.get('watch') === 'true' || query.get('watch') === '1';
    const verb =
      method === 'GET'
        ? name
          ? 'get'
          : watch
            ? 'watch'
            : 'list'
        : method === 'POST'
          ? 'create'
          : method === 'PUT'
            ? 'update'
            : method === 'PATCH'
              ? 'patch'
              : method === 'DELETE'
                ? name
                  ? 'delete'
                  : 'deletecollection'
                : '';
    if (
      !verb ||
      (!name && ['update', 'patch'].includes(verb)) ||
      (name && verb === 'create' && !subresource)
    ) {
      throw methodNotAllowed();
    }
    if (subresource && !['get', 'update', 'patch'].includes(verb)) throw methodNotAllowed();
    if (!type.verbs.includes(verb)) throw methodNotAllowed();
    return { type, namespace, name, subresource, verb };
  }

  private serve(
    req: IncomingMessage,
    res: ServerResponse,
    info: ResourceRequest,
    query: URLSearchParams,
    raw: Buffer,
  ): number {
    const body = raw.toString('utf8');
    const { type, namespace, name, subresource, verb } = info;
    const api = this.api;
    const table = wantsTable(req.headers.accept);
    const contentType = (req.headers['content-type'] ?? '').split(';')[0].trim().toLowerCase();
    const warnings: string[] = [];
    const write = {
      dryRun: dryRun(query),
      fieldManager: query.get('fieldManager') ?? undefined,
      fieldValidation: fieldValidation(query),
      userAgent: req.headers['user-agent'],
      warnings,
    };
    const sendJson = (
      response: ServerResponse,
      code: number,
      json: string,
      contentType?: string,
    ) => {
      if (warnings.length > 0) {
        response.setHeader(
          'Warning',
          warnings.map(w => `299 - ${JSON.stringify(w)}`),
        );
      }
      return writeJson(response, code, json, contentType);
    };
    const sendObject = (code: number, obj: KubeObject) => {
      if (table) {
        return sendJson(
          res,
          code,
          JSON.stringify(
            toTable(type, keyOf(type), [obj], { resourceVersion: obj.metadata.resourceVersion }),
          ),
        );
      }
      return sendJson(res, code, objectJson(obj));
    };

    switch (verb) {
      case 'get':
        if (subresource === 'scale')
          return sendJson(res, 200, JSON.stringify(api.getScale(type, namespace ?? '', name!)));
        return sendObject(200, api.get(type, namespace ?? '', name!));
      case 'list': {
        const listQuery = this.listQuery(query);
        const result = api.list(type, namespace, listQuery);
        if (table)
          return sendJson(
            res,
            200,
            JSON.stringify(toTable(type, keyOf(type), result.items, result.metadata)),
          );
        const items = result.items.map(item => itemJson(item, type.custom));
        return sendJson(
          res,
          200,
          listJson(`${type.kind}List`, apiVersionOfType(type), result.metadata, items),
        );
      }
      case 'watch':
        this.watches.serve(
          {
            type,
            namespace,
            labelSelector: query.get('labelSelector') ?? undefined,
            fieldSelector: query.get('fieldSelector') ?? undefined,
            resourceVersion: query.get('resourceVersion') ?? undefined,
            timeoutSeconds: Number(query.get('timeoutSeconds') ?? 0) || undefined,
            sendInitialEvents: query.get('sendInitialEvents') === 'true',
            table,
          },
          res,
        );
        return 200;
      case 'create':
        return sendObject(201, api.create(type, namespace, decodeBody(raw, contentType), write));
      case 'update': {
        const decoded = decodeBody(raw, contentType);
        if (subresource === 'scale')
          return sendJson(
            res,
            200,
            JSON.stringify(api.updateScale(type, namespace ?? '', name!, decoded, write)),
          );
        const sub = subresource === 'status' ? 'status' : undefined;
        return sendObject(
          200,
          api.update(type, namespace, name!, decoded, { ...write, subresource: sub }),
        );
      }
      case 'patch': {
        const patchType = PATCH_CONTENT_TYPES[contentType];
        if (!patchType) {
          throw unsupportedMediaType(
            type.custom
              ? [
                  'application/json-patch+json',
                  'application/merge-patch+json',
                  'application/apply-patch+yaml',
                ]
              : [
                  'application/json-patch+json',
                  'application/merge-patch+json',
                  'application/apply-patch+yaml',
                  'application/strategic-merge-patch+json',
                ],
          );
        }
        const force = query.get('force');
        const sub = subresource === 'status' || subresource === 'scale' ? subresource : undefined;
        const result = api.patch(type, namespace, name!, patchType, body, {
          ...write,
          subresource: sub,
          force: force === null ? undefined : force === 'true',
        });
        if (sub === 'scale') return sendJson(res, 200, JSON.stringify(result.object));
        return sendObject(result.created ? 201 : 200, result.object);
      }
      case 'delete': {
        const result = api.delete(type, namespace ?? '', name!, deleteOptions(query, body));
        if (result.object) return sendObject(200, result.object);
        const details = {
          name,
          ...(type.group ? { group: type.group } : {}),
          kind: type.resource,
          uid: result.uid,
        };
        return sendJson(
          res,
          200,
          JSON.stringify({
            kind: 'Status',
            apiVersion: 'v1',
            metadata: {},
            status: 'Success',
            details,
          }),
        );
      }
      case 'deletecollection': {
        const options = deleteOptions(query, body);
        const deleted = api.deleteCollection(type, namespace, this.listQuery(query), options);
        return sendJson(
          res,
          200,
          listJson(
            `${type.kind}List`,
            apiVersionOfType(type),
            { resourceVersion: api.store.resourceVersion },
            deleted.map(d => itemJson(d, type.custom)),
          ),
        );
      }
    }
    throw methodNotAllowed();
  }

  private listQuery(query: URLSearchParams): ListQuery {
    const limit = Number(query.get('limit') ?? 0);
    const token = query.get('continue') ?? undefined;
    if (token && this.faults.takeExpiration()) throw expired(token);
    return {
      labelSelector: query.get('labelSelector') ?? undefined,
      fieldSelector: query.get('fieldSelector') ?? undefined,
      limit: Number.isFinite(limit) && limit > 0 ? Math.floor(limit) : undefined,
      continue: token,
    };
  }
}

function normalizePath(path: string): string {
  const trimmed = path.length > 1 && path.endsWith('/') ? path.slice(0, -1) : path;
  return trimmed.replace(/\/+/g, '/');
}

function parseResourcePath(
  path: string,
): { group: string; version: string; parts: string[] } | undefined {
  let segments: string[];
  try {
    segments = path
      .split('/')
      .slice(1)
      .map(s => decodeURIComponent(s));
  } catch {
    throw badRequest(`invalid escape in request path ${JSON.stringify(path)}`);
  }
  if (segments[0] === 'api' && segments.length > 2) {
    return { group: '', version: segments[1], parts: segments.slice(2) };
  }
  if (segments[0] === 'apis' && segments.length > 3) {
    return { group: segments[1], version: segments[2], parts: segments.slice(3) };
  }
  return undefined;
}

function methodNotAllowed(): ApiError {
  return new ApiError(
    405,
    'MethodNotAllowed',
    'the server does not allow this method on the requested resource',
    {},
  );
}

function fieldValidation(query: URLSearchParams): 'Strict' | 'Warn' | 'Ignore' | undefined {
  const value = query.get('fieldValidation');
  if (value === null || value === '') return undefined;
  if (value === 'Strict' || value === 'Warn' || value === 'Ignore') return value;
  throw badRequest(
    `fieldValidation: Unsupported value: "${value}": supported values: "Ignore", "Strict", "Warn"`,
  );
}

function dryRun(query: URLSearchParams): boolean {
  const values = query.getAll('dryRun');
  for (const value of values) {
    if (value !== 'All')
      throw badRequest(`dryRun: Unsupported value: "${value}": supported values: "All"`);
  }
  return values.length > 0;
}

function decodeBody(raw: Buffer, contentType: string): unknown {
  if (contentType === 'application/vnd.kubernetes.protobuf') return decodeProtobuf(raw);
  if (contentType === 'application/cbor')
    throw unsupportedMediaType(['application/json', 'application/yaml']);
  const body = raw.toString('utf8');
  if (!body.trim()) {
    throw badRequest(
      "the object provided is unrecognized: couldn't get version/kind; json parse error: unexpected end of JSON input",
    );
  }
  if (
    contentType === 'application/yaml' ||
    contentType === 'application/x-yaml' ||
    contentType === 'text/yaml'
  ) {
    try {
      return loadYaml(body);
    } catch (error) {
      throw badRequest(`error converting YAML to JSON: ${(error as Error).message}`);
    }
  }
  if (contentType && contentType !== 'application/json' && contentType !== '*/*') {
    throw unsupportedMediaType([
      'application/json',
      'application/yaml',
      'application/vnd.kubernetes.protobuf',
    ]);
  }
  try {
    return JSON.parse(body);
  } catch (error) {
    throw badRequest(
      `the object provided is unrecognized: couldn't get version/kind; json parse error: ${(error as Error).message}`,
    );
  }
}

/** DeleteOptions from the body (kubectl, client-go) or the query (curl, older clients). */
function deleteOptions(query: URLSearchParams, body: string): DeleteOptions {
  const options: DeleteOptions = {};
  let parsed: Record<string, unknown> = {};
  if (body.trim()) {
    try {
      const value = JSON.parse(body) as unknown;
      if (isObject(value)) parsed = value;
    } catch {
      throw badRequest('the body of the request is not valid DeleteOptions');
    }
  }
  const policy = query.get('propagationPolicy') ?? parsed.propagationPolicy;
  if (policy !== undefined && policy !== null) {
    if (policy !== 'Foreground' && policy !== 'Background' && policy !== 'Orphan') {
      throw badRequest(
        `propagationPolicy: Unsupported value: "${String(policy)}": supported values: "Foreground", "Background", "Orphan"`,
      );
    }
    options.propagationPolicy = policy;
  } else if (parsed.orphanDependents === true || query.get('orphanDependents') === 'true') {
    options.propagationPolicy = 'Orphan';
  }
  const grace = query.get('gracePeriodSeconds') ?? parsed.gracePeriodSeconds;
  if (grace !== undefined && grace !== null) {
    const seconds = Number(grace);
    if (!Number.isInteger(seconds))
      throw badRequest(`gracePeriodSeconds: Invalid value: "${String(grace)}": must be an integer`);
    options.gracePeriodSeconds = Math.max(seconds, 0);
  }
  const dry = Array.isArray(parsed.dryRun) ? parsed.dryRun : [];
  options.dryRun = dryRun(query) || dry.includes('All');
  if (isObject(parsed.preconditions)) {
    const pre = parsed.preconditions;
    options.preconditions = {
      uid: typeof pre.uid === 'string' ? pre.uid : undefined,
      resourceVersion: typeof pre.resourceVersion === 'string' ? pre.resourceVersion : undefined,
    };
  }
  return options;
}

export function sendJson(
  res: ServerResponse,
  code: number,
  json: string,
  contentType = 'application/json',
): number {
  res.writeHead(code, { 'Content-Type': contentType, 'Content-Length': Buffer.byteLength(json) });
  res.end(json);
  return code;
}

/** sendJson under another name, for scopes where sendJson also adds Warning headers. */
const writeJson = sendJson;

export function sendError(res: ServerResponse, error: unknown): number {
  const apiError =
    error instanceof ApiError
      ? error
      : internalError(error instanceof Error ? (error.stack ?? error.message) : String(error));
  const json = JSON.stringify(apiError.toStatus());
  if (res.headersSent) {
    res.end();
    return apiError.code;
  }
  res.writeHead(apiError.code, {
    'Content-Type': 'application/json',
    'Content-Length': Buffer.byteLength(json),
    ...apiError.headers,
  });
  res.end(json);
  return apiError.code;
}

export { gr };
