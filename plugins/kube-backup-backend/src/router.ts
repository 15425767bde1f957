import type {
  AuditorService,
  HttpAuthService,
  PermissionsService,
  UserInfoService,
} from '@backstage/backend-plugin-api';
import { stringifyEntityRef } from '@backstage/catalog-model';
import { ConflictError, InputError, NotFoundError } from '@backstage/errors';
import type { CatalogService } from '@backstage/plugin-catalog-node';
import type { JsonObject } from '@backstage/types';
import {
  kubeBackupRestoreRequestPermission,
  kubeBackupSnapshotsReadPermission,
  type HydrationRequestBody,
  type RestoreDecisionBody,
  type RestoreRequestBody,
  type RestoreScope,
} from '@kube-backup/backstage-plugin-kube-backup-common';
import express, { type NextFunction, type Request, type Response } from 'express';
import Router from 'express-promise-router';
import type { KubeBackupConfig } from './config';
import type { HydrationStore } from './database/HydrationStore';
import type { RestoreRequestStore } from './database/RestoreRequestStore';
import { AccessPolicy, type EntityContext } from './service/AccessPolicy';
import { entityScope, hydrationSourceNamespace, type EntityScope } from './service/EntityScope';
import { toBackstageError } from './service/errors';
import type { JobRunner } from './service/JobRunner';
import { checkRestoreScope } from './service/RestoreScope';
import { MAX_PAGE_SIZE, type SnapshotService } from './service/SnapshotService';

export interface RouterOptions {
  config: KubeBackupConfig;
  httpAuth: HttpAuthService;
  userInfo: UserInfoService;
  permissions: PermissionsService;
  auditor: AuditorService;
  catalog: CatalogService;
  snapshots: SnapshotService;
  hydrations: HydrationStore;
  restores: RestoreRequestStore;
  jobs: JobRunner;
}

const ENTITY = '/entities/:kind/:namespace/:name';

/** Replicas a hydration may ask for: dev/test namespaces are not for full production scale. */
export const MAX_HYDRATION_REPLICAS = 10;

/** The plugin's JSON API. It parses, asks the access policy, and calls the services. */
export function createRouter(options: RouterOptions): express.Router {
  const { config, httpAuth, auditor, catalog, snapshots } = options;
  const policy = new AccessPolicy({
    config,
    permissions: options.permissions,
    userInfo: options.userInfo,
  });
  const router = Router();
  router.use(express.json({ limit: '100kb' }));

  async function loadEntity(req: Request, entityRef: string): Promise<EntityContext> {
    const credentials = await httpAuth.credentials(req, { allow: ['user'] });
    const entity = await catalog.getEntityByRef(entityRef, { credentials });
    if (!entity) throw new NotFoundError(`no entity ${entityRef} in the catalog`);
    return { credentials, entity, entityRef: stringifyEntityRef(entity) };
  }

  async function entityFromParams(req: Request): Promise<EntityContext> {
    const { kind, namespace, name } = req.params;
    return loadEntity(req, stringifyEntityRef({ kind, namespace, name }));
  }

  /**
   * What the entity claims; undefined when it has none of the annotations. A claim the
   * config does not grant is refused (NotAllowedError), inside the routes' audit events.
   */
  function scopeOf(context: EntityContext): EntityScope | undefined {
    return entityScope(context.entity, config.namespaceOwners);
  }

  function requireScope(context: EntityContext): EntityScope {
    const scope = scopeOf(context);
    if (!scope) {
      throw new InputError(
        `${context.entityRef} has none of the backstage.io/kubernetes-id, kubernetes-namespace or kubernetes-label-selector annotations, so no snapshot can be tied to it`,
      );
    }
    return scope;
  }

  // ---- snapshots -------------------------------------------------------------------------

  router.get(`${ENTITY}/snapshots`, async (req, res) => {
    const context = await entityFromParams(req);
    await policy.authorize(kubeBackupSnapshotsReadPermission, context);
    const limit = intParam(req.query.limit, 'limit', 1, MAX_PAGE_SIZE);
    const offset = intParam(req.query.offset, 'offset', 0, Number.MAX_SAFE_INTEGER);
    const scope = scopeOf(context);
    if (!scope) {
      res.json({ items: [], totalCount: 0, offset: offset ?? 0, limit: limit ?? 50 });
      return;
    }
    res.json(
      await snapshots.listForEntity(scope, {
        since: stringParam(req.query.since, 'since'),
        until: stringParam(req.query.until, 'until'),
        tag: stringParam(req.query.tag, 'tag'),
        limit,
        offset,
      }),
    );
  });

  router.get(`${ENTITY}/snapshots/:snapshotId`, async (req, res) => {
    const context = await entityFromParams(req);
    await policy.authorize(kubeBackupSnapshotsReadPermission, context);
    res.json(await snapshots.detail(requireScope(context), req.params.snapshotId));
  });

  // ---- hydration -------------------------------------------------------------------------

  router.get(`${ENTITY}/hydration-targets`, async (req, res) => {
    const context = await entityFromParams(req);
    await policy.authorize(kubeBackupSnapshotsReadPermission, context);
    scopeOf(context); // an ungranted claim is refused here too
    res.json({ items: await policy.hydrationTargets(context) });
  });

  router.post(`${ENTITY}/hydrations`, async (req, res) => {
    const context = await entityFromParams(req);
    const body = parseHydrationBody(req.body);
    const audit = await auditor.createEvent({
      eventId: 'hydration-start',
      severityLevel: 'medium',
      request: req,
      meta: { entityRef: context.entityRef, ...body },
    });
    try {
      const scope = requireScope(context);
      const target = await policy.checkHydration(context, body);
      const snapshot = await snapshots.entitySnapshot(scope, body.snapshotId);
      // Refused now, not in the job: a claim whose objects span namespaces cannot be copied.
      hydrationSourceNamespace(scope, await snapshots.entityNamespaces(scope, snapshot));
      const job = await options.hydrations.create({
        entityRef: context.entityRef,
        snapshotId: snapshot.id,
        target: target.name,
        cluster: target.cluster,
        namespace: body.namespace,
        createdBy: context.credentials.principal.userEntityRef,
      });
      options.jobs.startHydration(job, scope, {
        includeSecrets: body.includeSecrets ?? false,
        replicas: body.replicas,
        withData: body.withData,
      });
      await audit.success({ meta: { jobId: job.id } });
      res.status(202).json(job);
    } catch (error) {
      await audit.fail({ error: error as Error });
      throw error;
    }
  });

  router.get(`${ENTITY}/hydrations`, async (req, res) => {
    const context = await entityFromParams(req);
    await policy.authorize(kubeBackupSnapshotsReadPermission, context);
    res.json({ items: await options.hydrations.listForEntity(context.entityRef) });
  });

  router.get('/hydrations/:id', async (req, res) => {
    const job = await options.hydrations.get(req.params.id);
    if (!job) throw new NotFoundError(`no hydration ${req.params.id}`);
    const context = await loadEntity(req, job.entityRef);
    await policy.authorize(kubeBackupSnapshotsReadPermission, context);
    res.json(job);
  });

  // ---- restore requests ------------------------------------------------------------------

  router.post(`${ENTITY}/restore-requests`, async (req, res) => {
    const context = await entityFromParams(req);
    const body = parseRestoreBody(req.body);
    const audit = await auditor.createEvent({
      eventId: 'restore-request',
      severityLevel: 'high',
      request: req,
      meta: {
        entityRef: context.entityRef,
        snapshotId: body.snapshotId,
        reason: body.reason,
        scope: (body.scope ?? {}) as JsonObject,
      },
    });
    try {
      await policy.authorize(kubeBackupSnapshotsReadPermission, context);
      await policy.authorize(kubeBackupRestoreRequestPermission, context);
      const cluster = config.productionCluster;
      if (!cluster)
        throw new InputError('kubeBackup.clusters is empty: there is nowhere to restore to');
      const scope = requireScope(context);
      const snapshot = await snapshots.entitySnapshot(scope, body.snapshotId);
      const restoreScope = body.scope ?? {};
      checkRestoreScope(
        context.entityRef,
        snapshot,
        await snapshots.entityRecords(scope, snapshot),
        restoreScope,
      );
      const request = await options.restores.create({
        entityRef: context.entityRef,
        snapshotId: snapshot.id,
        cluster,
        scope: restoreScope,
        reason: body.reason,
        requestedBy: context.credentials.principal.userEntityRef,
      });
      await audit.success({ meta: { requestId: request.id } });
      res.status(201).json(request);
    } catch (error) {
      await audit.fail({ error: error as Error });
      throw error;
    }
  });

  router.get(`${ENTITY}/restore-requests`, async (req, res) => {
    const context = await entityFromParams(req);
    await policy.authorize(kubeBackupSnapshotsReadPermission, context);
    res.json({ items: await options.restores.listForEntity(context.entityRef) });
  });

  router.get('/restore-requests/:id', async (req, res) => {
    const request = await options.restores.get(req.params.id);
    if (!request) throw new NotFoundError(`no restore request ${req.params.id}`);
    const context = await loadEntity(req, request.entityRef);
    await policy.authorize(kubeBackupSnapshotsReadPermission, context);
    res.json(request);
  });

  router.post('/restore-requests/:id/decision', async (req, res) => {
    const body = parseDecisionBody(req.body);
    const request = await options.restores.get(req.params.id);
    if (!request) throw new NotFoundError(`no restore request ${req.params.id}`);
    const context = await loadEntity(req, request.entityRef);
    const audit = await auditor.createEvent({
      eventId: 'restore-decision',
      severityLevel: 'high',
      request: req,
      meta: {
        requestId: request.id,
        entityRef: request.entityRef,
        decision: body.decision,
        requestedBy: request.requestedBy,
        selfApproval: policy.selfApproval(request, context, body.decision),
      },
    });
    try {
      await policy.checkDecision(context, request, body);
      // Only an approval runs anything; a request may be rejected whatever its entity claims.
      const scope = body.decision === 'approve' ? requireScope(context) : undefined;
      const status = scope ? 'approved' : 'rejected';
      const by = context.credentials.principal.userEntityRef;
      if (!(await options.restores.decide(request.id, { status, by, comment: body.comment }))) {
        const current = await options.restores.get(request.id);
        throw new ConflictError(`restore request ${request.id} is already ${current?.status}`);
      }
      const decided = (await options.restores.get(request.id))!;
      if (scope) options.jobs.startRestore(decided, scope);
      await audit.success({ meta: { status } });
      res.json(decided);
    } catch (error) {
      await audit.fail({ error: error as Error });
      throw error;
    }
  });

  // Core's errors become Backstage's, with their status codes, in this one place.
  router.use((error: unknown, _req: Request, _res: Response, next: NextFunction) => {
    next(toBackstageError(error));
  });

  return router;
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

function object(body: unknown): Record<string, unknown> {
  if (!body || typeof body !== 'object' || Array.isArray(body)) {
    throw new InputError('the request body must be a JSON object');
  }
  return body as Record<string, unknown>;
}

function requiredString(body: Record<string, unknown>, name: string): string {
  const value = body[name];
  if (typeof value !== 'string' || !value.trim()) throw new InputError(`${name} is required`);
  return value.trim();
}

function optionalBoolean(body: Record<string, unknown>, name: string): boolean | undefined {
  const value = body[name];
  if (value === undefined) return undefined;
  if (typeof value !== 'boolean') throw new InputError(`${name} must be true or false`);
  return value;
}

function optionalInt(
  body: Record<string, unknown>,
  name: string,
  min: number,
  max: number,
): number | undefined {
  const value = body[name];
  if (value === undefined) return undefined;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
    throw new InputError(`${name} must be a whole number from ${min} to ${max}`);
  }
  return value;
}

function optionalStrings(value: unknown, name: string): string[] | undefined {
  if (value === undefined) return undefined;
  if (!Array.isArray(value) || value.some(item => typeof item !== 'string' || !item)) {
    throw new InputError(`${name} must be a list of strings`);
  }
  return value as string[];
}

function parseHydrationBody(raw: unknown): HydrationRequestBody {
  const body = object(raw);
  const namespace = requiredString(body, 'namespace');
  if (!/^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/.test(namespace)) {
    throw new InputError(`namespace "${namespace}" is not a valid Kubernetes namespace name`);
  }
  return {
    snapshotId: requiredString(body, 'snapshotId'),
    target: requiredString(body, 'target'),
    namespace,
    includeSecrets: optionalBoolean(body, 'includeSecrets'),
    replicas: optionalInt(body, 'replicas', 0, MAX_HYDRATION_REPLICAS),
    withData: optionalBoolean(body, 'withData'),
  };
}

function parseRestoreBody(raw: unknown): RestoreRequestBody {
  const body = object(raw);
  let scope: RestoreScope | undefined;
  if (body.scope !== undefined) {
    const given = object(body.scope);
    scope = {
      namespaces: optionalStrings(given.namespaces, 'scope.namespaces'),
      objects: optionalStrings(given.objects, 'scope.objects'),
      includeSecrets: optionalBoolean(given, 'includeSecrets'),
      existing: optionalExisting(given.existing),
      withData: optionalBoolean(given, 'withData'),
    };
  }
  return {
    snapshotId: requiredString(body, 'snapshotId'),
    reason: requiredString(body, 'reason'),
    scope,
  };
}

function optionalExisting(value: unknown): RestoreScope['existing'] {
  if (value === undefined || value === 'skip' || value === 'update') return value;
  throw new InputError('scope.existing must be "skip" or "update"');
}

function parseDecisionBody(raw: unknown): RestoreDecisionBody {
  const body = object(raw);
  const decision = body.decision;
  if (decision !== 'approve' && decision !== 'reject') {
    throw new InputError('decision must be "approve" or "reject"');
  }
  const comment = body.comment;
  if (comment !== undefined && typeof comment !== 'string')
    throw new InputError('comment must be text');
  return { decision, comment };
}
