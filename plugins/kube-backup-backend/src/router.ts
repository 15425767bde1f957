import type {
  AuditorService,
  BackstageCredentials,
  BackstageUserPrincipal,
  HttpAuthService,
  PermissionsService,
  UserInfoService,
} from '@backstage/backend-plugin-api';
import { stringifyEntityRef, type Entity } from '@backstage/catalog-model';
import { ConflictError, InputError, NotAllowedError, NotFoundError } from '@backstage/errors';
import type { CatalogService } from '@backstage/plugin-catalog-node';
import { AuthorizeResult, type ResourcePermission } from '@backstage/plugin-permission-common';
import {
  entityOwners,
  kubeBackupHydratePermission,
  kubeBackupRestoreApprovePermission,
  kubeBackupRestoreRequestPermission,
  kubeBackupSnapshotsReadPermission,
  type HydrationRequestBody,
  type HydrationTarget,
  type RestoreDecisionBody,
  type RestoreRequestBody,
  type RestoreScope,
} from '@kube-backup/backstage-plugin-kube-backup-common';
import express, { type Request } from 'express';
import Router from 'express-promise-router';
import { matchesNamespacePattern, type KubeBackupConfig } from './config';
import type { HydrationStore } from './database/HydrationStore';
import type { RestoreRequestStore } from './database/RestoreRequestStore';
import type { JobRunner } from './service/JobRunner';
import {
  entityMatcher,
  MAX_PAGE_SIZE,
  type EntityMatcher,
  type SnapshotService,
} from './service/SnapshotService';

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

type UserCredentials = BackstageCredentials<BackstageUserPrincipal>;

interface EntityContext {
  credentials: UserCredentials;
  entity: Entity;
  entityRef: string;
  matcher?: EntityMatcher;
}

const ENTITY = '/entities/:kind/:namespace/:name';

/** Replicas a hydration may ask for: dev/test namespaces are not for full production scale. */
export const MAX_HYDRATION_REPLICAS = 10;

/** The plugin's JSON API. It parses and authorizes; core does the work. */
export function createRouter(options: RouterOptions): express.Router {
  const { config, httpAuth, userInfo, permissions, auditor, catalog, snapshots } = options;
  const router = Router();
  router.use(express.json({ limit: '100kb' }));

  async function loadEntity(req: Request, entityRef: string): Promise<EntityContext> {
    const credentials = await httpAuth.credentials(req, { allow: ['user'] });
    const entity = await catalog.getEntityByRef(entityRef, { credentials });
    if (!entity) throw new NotFoundError(`no entity ${entityRef} in the catalog`);
    return {
      credentials,
      entity,
      entityRef: stringifyEntityRef(entity),
      matcher: entityMatcher(entity),
    };
  }

  async function entityFromParams(req: Request): Promise<EntityContext> {
    const { kind, namespace, name } = req.params;
    return loadEntity(req, stringifyEntityRef({ kind, namespace, name }));
  }

  async function allowed(
    permission: ResourcePermission<'catalog-entity'>,
    context: EntityContext,
  ): Promise<boolean> {
    const [decision] = await permissions.authorize(
      [{ permission, resourceRef: context.entityRef }],
      { credentials: context.credentials },
    );
    return decision.result === AuthorizeResult.ALLOW;
  }

  async function authorize(
    permission: ResourcePermission<'catalog-entity'>,
    context: EntityContext,
  ): Promise<void> {
    if (!(await allowed(permission, context))) {
      throw new NotAllowedError(`not allowed: ${permission.name} on ${context.entityRef}`);
    }
  }

  function requireMatcher(context: EntityContext): EntityMatcher {
    if (!context.matcher) {
      throw new InputError(
        `${context.entityRef} has none of the backstage.io/kubernetes-id, kubernetes-namespace or kubernetes-label-selector annotations, so no snapshot can be tied to it`,
      );
    }
    return context.matcher;
  }

  async function ownershipRefs(credentials: UserCredentials): Promise<Set<string>> {
    const info = await userInfo.getUserInfo(credentials);
    return new Set([info.userEntityRef, ...info.ownershipEntityRefs].map(ref => ref.toLowerCase()));
  }

  async function targetsFor(context: EntityContext): Promise<HydrationTarget[]> {
    if (!(await allowed(kubeBackupHydratePermission, context))) return [];
    const refs = await ownershipRefs(context.credentials);
    const entityRef = context.entityRef.toLowerCase();
    return config.targets
      .filter(
        target =>
          (!target.entities || target.entities.includes(entityRef)) &&
          (!target.allowedOwners || target.allowedOwners.some(ref => refs.has(ref))),
      )
      .map(target => ({
        name: target.name,
        title: target.title,
        cluster: target.cluster,
        namespaces: [...target.namespaces],
        allowSecrets: target.allowSecrets,
      }));
  }

  function isProtected(namespace: string): boolean {
    return config.protectedNamespaces.some(pattern => matchesNamespacePattern(pattern, namespace));
  }

  // ---- snapshots -------------------------------------------------------------------------

  router.get(`${ENTITY}/snapshots`, async (req, res) => {
    const context = await entityFromParams(req);
    await authorize(kubeBackupSnapshotsReadPermission, context);
    const limit = intParam(req.query.limit, 'limit', 1, MAX_PAGE_SIZE);
    const offset = intParam(req.query.offset, 'offset', 0, Number.MAX_SAFE_INTEGER);
    if (!context.matcher) {
      res.json({ items: [], totalCount: 0, offset: offset ?? 0, limit: limit ?? 50 });
      return;
    }
    res.json(
      await snapshots.listForEntity(context.matcher, {
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
    await authorize(kubeBackupSnapshotsReadPermission, context);
    res.json(await snapshots.detail(requireMatcher(context), req.params.snapshotId));
  });

  // ---- hydration -------------------------------------------------------------------------

  router.get(`${ENTITY}/hydration-targets`, async (req, res) => {
    const context = await entityFromParams(req);
    await authorize(kubeBackupSnapshotsReadPermission, context);
    res.json({ items: await targetsFor(context) });
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
      await authorize(kubeBackupHydratePermission, context);
      const matcher = requireMatcher(context);
      const target = (await targetsFor(context)).find(candidate => candidate.name === body.target);
      if (!target) {
        throw new NotAllowedError(
          `hydration target "${body.target}" is not allowed for ${context.entityRef}`,
        );
      }
      if (!target.namespaces.some(pattern => matchesNamespacePattern(pattern, body.namespace))) {
        throw new NotAllowedError(
          `namespace "${body.namespace}" is not one target "${target.name}" allows (${target.namespaces.join(', ')})`,
        );
      }
      if (isProtected(body.namespace)) {
        throw new NotAllowedError(
          `namespace "${body.namespace}" is protected; hydration never writes there`,
        );
      }
      if (body.includeSecrets && !target.allowSecrets) {
        throw new NotAllowedError(
          `hydration target "${target.name}" does not allow Secrets; hydrate without them`,
        );
      }
      const snapshot = await snapshots.entitySnapshot(matcher, body.snapshotId);
      const job = await options.hydrations.create({
        entityRef: context.entityRef,
        snapshotId: snapshot.id,
        target: target.name,
        cluster: target.cluster,
        namespace: body.namespace,
        createdBy: context.credentials.principal.userEntityRef,
      });
      options.jobs.startHydration(job, matcher, {
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
    await authorize(kubeBackupSnapshotsReadPermission, context);
    res.json({ items: await options.hydrations.listForEntity(context.entityRef) });
  });

  router.get('/hydrations/:id', async (req, res) => {
    const job = await options.hydrations.get(req.params.id);
    if (!job) throw new NotFoundError(`no hydration ${req.params.id}`);
    const context = await loadEntity(req, job.entityRef);
    await authorize(kubeBackupSnapshotsReadPermission, context);
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
      meta: { entityRef: context.entityRef, snapshotId: body.snapshotId, reason: body.reason },
    });
    try {
      await authorize(kubeBackupSnapshotsReadPermission, context);
      await authorize(kubeBackupRestoreRequestPermission, context);
      const cluster = config.productionCluster;
      if (!cluster)
        throw new InputError('kubeBackup.clusters is empty: there is nowhere to restore to');
      const snapshot = await snapshots.entitySnapshot(requireMatcher(context), body.snapshotId);
      const request = await options.restores.create({
        entityRef: context.entityRef,
        snapshotId: snapshot.id,
        cluster,
        scope: body.scope ?? {},
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
    await authorize(kubeBackupSnapshotsReadPermission, context);
    res.json({ items: await options.restores.listForEntity(context.entityRef) });
  });

  router.get('/restore-requests/:id', async (req, res) => {
    const request = await options.restores.get(req.params.id);
    if (!request) throw new NotFoundError(`no restore request ${req.params.id}`);
    const context = await loadEntity(req, request.entityRef);
    await authorize(kubeBackupSnapshotsReadPermission, context);
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
      meta: { requestId: request.id, entityRef: request.entityRef, decision: body.decision },
    });
    try {
      await authorize(kubeBackupRestoreApprovePermission, context);
      const owners = entityOwners(context.entity);
      const refs = await ownershipRefs(context.credentials);
      if (!owners.some(owner => refs.has(owner))) {
        throw new NotAllowedError(
          `only an owner of ${context.entityRef} (${owners.join(', ') || 'it has no owner'}) may decide on its restore requests`,
        );
      }
      const status = body.decision === 'approve' ? 'approved' : 'rejected';
      const by = context.credentials.principal.userEntityRef;
      if (!(await options.restores.decide(request.id, { status, by, comment: body.comment }))) {
        const current = await options.restores.get(request.id);
        throw new ConflictError(`restore request ${request.id} is already ${current?.status}`);
      }
      const decided = (await options.restores.get(request.id))!;
      if (status === 'approved') options.jobs.startRestore(decided, requireMatcher(context));
      await audit.success({ meta: { status } });
      res.json(decided);
    } catch (error) {
      await audit.fail({ error: error as Error });
      throw error;
    }
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
