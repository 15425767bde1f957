import type {
  AuditorService,
  AuditorServiceCreateEventOptions,
} from '@backstage/backend-plugin-api';
import { InputError, NotFoundError } from '@backstage/errors';
import type { JsonObject } from '@backstage/types';
import {
  fileDownloadQuerySchema,
  fileListQuerySchema,
  fileSearchQuerySchema,
  hydrationRequestSchema,
  kubeBackupSnapshotsReadPermission,
  MAX_SNAPSHOT_PAGE_SIZE,
  parseRequestBody,
  restoreDecisionSchema,
  restoreRequestSchema,
  type HydrationRequestBody,
  type RequestBodySchema,
} from '@kube-backup/backstage-plugin-kube-backup-common';
import express, { type NextFunction, type Request, type Response } from 'express';
import Router from 'express-promise-router';
import type { AccessPolicy, EntityContext } from './service/AccessPolicy';
import { audited, type AuditedOutcome } from './service/audit';
import type { EntityResolver } from './service/EntityResolver';
import { toBackstageError } from './service/errors';
import type { FilesService, VolumeRef } from './service/FilesService';
import type { HydrationService } from './service/HydrationService';
import type { RestoreService } from './service/RestoreService';
import type { SnapshotService } from './service/SnapshotService';

export interface RouterOptions {
  auditor: AuditorService;
  policy: AccessPolicy;
  entities: EntityResolver;
  snapshots: SnapshotService;
  hydrations: HydrationService;
  restores: RestoreService;
  files: FilesService;
}

const ENTITY = '/entities/:kind/:namespace/:name';
/** A claim of the entity in one of its snapshots. */
const VOLUME = `${ENTITY}/snapshots/:snapshotId/volumes/:claimNamespace/:claim`;

/**
 * The plugin's JSON API. Each route parses its input (with the schemas the frontend shares),
 * finds the entity, and asks a service; who may do what is the access policy's, which the
 * services consult. Acting routes run inside an audit event.
 */
export function createRouter(options: RouterOptions): express.Router {
  const { policy, entities, snapshots, hydrations, restores, files } = options;
  const router = Router();
  router.use(express.json({ limit: '100kb' }));

  /** Runs an acting route's work inside its audit event, about the request. */
  function auditedRoute<T>(
    req: Request,
    event: Omit<AuditorServiceCreateEventOptions, 'request'>,
    work: () => Promise<T>,
    outcome?: AuditedOutcome<T>,
  ): Promise<T> {
    return audited(options.auditor, { ...event, request: req }, work, outcome);
  }

  // ---- snapshots -------------------------------------------------------------------------

  router.get(`${ENTITY}/snapshots`, async (req, res) => {
    const context = await entities.fromRoute(req);
    await policy.authorize(kubeBackupSnapshotsReadPermission, context);
    const limit = intParam(req.query.limit, 'limit', 1, MAX_SNAPSHOT_PAGE_SIZE);
    const offset = intParam(req.query.offset, 'offset', 0, Number.MAX_SAFE_INTEGER);
    const filters = {
      since: stringParam(req.query.since, 'since'),
      until: stringParam(req.query.until, 'until'),
      tag: stringParam(req.query.tag, 'tag'),
      limit,
      offset,
    };
    res.json(await snapshots.listForEntity(entities.scope(context), filters));
  });

  router.get(`${ENTITY}/snapshots/:snapshotId`, async (req, res) => {
    const context = await entities.fromRoute(req);
    await policy.authorize(kubeBackupSnapshotsReadPermission, context);
    res.json(await snapshots.detail(entities.requireScope(context), req.params.snapshotId));
  });

  // ---- files of a volume -----------------------------------------------------------------

  router.get(`${VOLUME}/files`, async (req, res) => {
    const context = await entities.fromRoute(req);
    const query = parseBody(fileListQuerySchema, req.query);
    const volume = volumeRef(req);
    const meta: JsonObject = { entityRef: context.entityRef, ...volume, path: query.path ?? '/' };
    await policy.authorize(kubeBackupSnapshotsReadPermission, context);
    res.json(
      await auditedRoute(req, { eventId: 'files-browse', severityLevel: 'low', meta }, () =>
        files.list(context, volume, query.path),
      ),
    );
  });

  router.get(`${VOLUME}/files/search`, async (req, res) => {
    const context = await entities.fromRoute(req);
    const query = parseBody(fileSearchQuerySchema, req.query);
    const volume = volumeRef(req);
    const meta: JsonObject = { entityRef: context.entityRef, ...volume, ...query };
    await policy.authorize(kubeBackupSnapshotsReadPermission, context);
    res.json(
      await auditedRoute(
        req,
        { eventId: 'files-search', severityLevel: 'low', meta },
        () => files.search(context, volume, query.name, query.path),
        { meta: found => ({ found: found.entries.length }) },
      ),
    );
  });

  // The file's bytes (a folder's as tar) stream from restic to the client; the audit event
  // records who fetched which path of which snapshot only once all of it was sent.
  router.get(`${VOLUME}/files/content`, async (req, res) => {
    const context = await entities.fromRoute(req);
    const query = parseBody(fileDownloadQuerySchema, req.query);
    const volume = volumeRef(req);
    const meta: JsonObject = {
      entityRef: context.entityRef,
      ...volume,
      path: query.path,
      user: context.credentials.principal.userEntityRef,
    };
    try {
      await auditedRoute(
        req,
        { eventId: 'files-download', severityLevel: 'medium', meta },
        () =>
          files.download(context, volume, query.path, {
            begin(entry) {
              const name = entry.path === '/' ? volume.claim : entry.name;
              if (entry.type === 'dir') res.attachment(`${name}.tar`);
              else {
                res.attachment(name);
                res.type('application/octet-stream');
                if (entry.size !== undefined) res.setHeader('Content-Length', entry.size);
              }
              res.status(200);
            },
            out: res,
          }),
        { meta: sent => ({ fetched: sent.path, type: sent.type, bytes: sent.bytes }) },
      );
    } catch (error) {
      // Once bytes went out, no error answer can follow: the cut connection says it.
      if (!res.headersSent) throw error;
      res.destroy(error as Error);
      return;
    }
    res.end();
  });

  // ---- hydration -------------------------------------------------------------------------

  router.get(`${ENTITY}/hydration-targets`, async (req, res) => {
    const context = await entities.fromRoute(req);
    await policy.authorize(kubeBackupSnapshotsReadPermission, context);
    res.json({ items: await hydrations.targets(context) });
  });

  /**
   * A hydration's POST (its plan, or the hydration itself): the same body, parsed by the
   * shared schema, and the work audited with it.
   */
  function hydrationRoute<T>(
    event: Pick<AuditorServiceCreateEventOptions, 'eventId' | 'severityLevel'>,
    work: (context: EntityContext, body: HydrationRequestBody) => Promise<T>,
    answer: { status: number; meta(result: T): JsonObject },
  ) {
    return async (req: Request, res: Response) => {
      const context = await entities.fromRoute(req);
      const body = parseBody(hydrationRequestSchema, req.body);
      const result = await auditedRoute(
        req,
        { ...event, meta: { entityRef: context.entityRef, ...body } },
        () => work(context, body),
        { meta: answer.meta },
      );
      res.status(answer.status).json(result);
    };
  }

  router.post(
    `${ENTITY}/hydration-plans`,
    hydrationRoute(
      { eventId: 'hydration-plan', severityLevel: 'low' },
      (context, body) => hydrations.plan(context, body),
      { status: 200, meta: plan => ({ kinds: plan.kinds.length }) },
    ),
  );

  router.post(
    `${ENTITY}/hydrations`,
    hydrationRoute(
      { eventId: 'hydration-start', severityLevel: 'medium' },
      (context, body) => hydrations.start(context, body),
      { status: 202, meta: job => ({ jobId: job.id }) },
    ),
  );

  router.get(`${ENTITY}/hydrations`, async (req, res) => {
    const context = await entities.fromRoute(req);
    await policy.authorize(kubeBackupSnapshotsReadPermission, context);
    res.json({ items: await hydrations.list(context.entityRef) });
  });

  router.get('/hydrations/:id', async (req, res) => {
    const job = await hydrations.get(req.params.id);
    if (!job) throw new NotFoundError(`no hydration ${req.params.id}`);
    await policy.authorize(
      kubeBackupSnapshotsReadPermission,
      await entities.byRef(req, job.entityRef),
    );
    res.json(job);
  });

  // ---- restore requests ------------------------------------------------------------------

  router.post(`${ENTITY}/restore-requests`, async (req, res) => {
    const context = await entities.fromRoute(req);
    const body = parseBody(restoreRequestSchema, req.body);
    const meta: JsonObject = {
      entityRef: context.entityRef,
      snapshotId: body.snapshotId,
      reason: body.reason,
      scope: (body.scope ?? {}) as JsonObject,
      ...(body.files ? { files: body.files as unknown as JsonObject } : {}),
    };
    const request = await auditedRoute(
      req,
      { eventId: 'restore-request', severityLevel: 'high', meta },
      () => restores.request(context, body),
      { meta: made => ({ requestId: made.id }) },
    );
    res.status(201).json(request);
  });

  router.get(`${ENTITY}/restore-requests`, async (req, res) => {
    const context = await entities.fromRoute(req);
    await policy.authorize(kubeBackupSnapshotsReadPermission, context);
    res.json({ items: await restores.list(context.entityRef) });
  });

  router.get('/restore-requests/:id', async (req, res) => {
    const request = await restores.get(req.params.id);
    if (!request) throw new NotFoundError(`no restore request ${req.params.id}`);
    await policy.authorize(
      kubeBackupSnapshotsReadPermission,
      await entities.byRef(req, request.entityRef),
    );
    res.json(request);
  });

  router.post('/restore-requests/:id/decision', async (req, res) => {
    const body = parseBody(restoreDecisionSchema, req.body);
    const request = await restores.get(req.params.id);
    if (!request) throw new NotFoundError(`no restore request ${req.params.id}`);
    const context = await entities.byRef(req, request.entityRef);
    const meta: JsonObject = {
      requestId: request.id,
      entityRef: request.entityRef,
      decision: body.decision,
      requestedBy: request.requestedBy,
      selfApproval: policy.selfApproval(request, context, body.decision),
    };
    const decided = await auditedRoute(
      req,
      { eventId: 'restore-decision', severityLevel: 'high', meta },
      () => restores.decide(context, request, body),
      { meta: made => ({ status: made.status }) },
    );
    res.json(decided);
  });

  // Core's errors become Backstage's, with their status codes, in this one place.
  router.use((error: unknown, _req: Request, _res: Response, next: NextFunction) => {
    next(toBackstageError(error));
  });

  return router;
}

/** The claim of a volume route. */
function volumeRef(req: Request): VolumeRef {
  return {
    snapshotId: req.params.snapshotId,
    namespace: req.params.claimNamespace,
    claim: req.params.claim,
  };
}

/** A request body parsed with its shared schema; InputError (400) naming what is wrong. */
function parseBody<T>(schema: RequestBodySchema<T>, body: unknown): T {
  const parsed = parseRequestBody(schema, body);
  if (parsed.problem !== undefined) throw new InputError(parsed.problem);
  return parsed.value;
}

function stringParam(value: unknown, name: string): string | undefined {
  if (value === undefined || value === '') return undefined;
  if (typeof value !== 'string') throw new InputError(`${name} must be given once`);
  return value;
}

function intParam(value: unknown, name: string, min: number, max: number): number | undefined {
  const text = stringParam(value, name);
  if (text === undefined) return undefined;
  const number = Number(text);
  if (!Number.isInteger(number) || number < min || number > max) {
    throw new InputError(`${name} must be a whole number from ${min} to ${max}`);
  }
  return number;
}
