import { parseEntityRef } from '@backstage/catalog-model';
import { InputError, ResponseError } from '@backstage/errors';
import {
  hydrationRequestSchema,
  parseRequestBody,
  restoreDecisionSchema,
  restoreRequestSchema,
  type HydrationJob,
  type HydrationJobList,
  type HydrationPlan,
  type HydrationTarget,
  type HydrationTargetList,
  type RestoreDecisionBody,
  type RestoreRequest,
  type RestoreRequestBody,
  type RequestBodySchema,
  type RestoreRequestList,
  type SnapshotDetail,
  type SnapshotList,
} from '@kube-backup/backstage-plugin-kube-backup-common';
import type { EntityName, HydrationRequest, KubeBackupApi, SnapshotQuery } from './types';

/** The parts of Backstage's discoveryApi and fetchApi the client uses. */
export interface KubeBackupClientOptions {
  discoveryApi: { getBaseUrl(pluginId: string): Promise<string> };
  /** Backstage's fetchApi: it adds the signed-in user's token to every request. */
  fetchApi: { fetch: typeof fetch };
}

/** Talks to the kube-backup backend plugin (`/api/kube-backup`). */
export class KubeBackupClient implements KubeBackupApi {
  private readonly discoveryApi: KubeBackupClientOptions['discoveryApi'];
  private readonly fetchApi: KubeBackupClientOptions['fetchApi'];

  constructor(options: KubeBackupClientOptions) {
    this.discoveryApi = options.discoveryApi;
    this.fetchApi = options.fetchApi;
  }

  async listSnapshots(entity: EntityName | string, query: SnapshotQuery = {}) {
    const params = new URLSearchParams();
    for (const [key, value] of Object.entries(query)) {
      if (value !== undefined && value !== '') params.set(key, String(value));
    }
    const search = params.toString();
    return this.get<SnapshotList>(`${entityPath(entity)}/snapshots${search ? `?${search}` : ''}`);
  }

  async getSnapshot(entity: EntityName | string, snapshotId: string) {
    return this.get<SnapshotDetail>(
      `${entityPath(entity)}/snapshots/${encodeURIComponent(snapshotId)}`,
    );
  }

  async listHydrationTargets(entity: EntityName | string): Promise<HydrationTarget[]> {
    return (await this.get<HydrationTargetList>(`${entityPath(entity)}/hydration-targets`)).items;
  }

  async planHydration(entity: EntityName | string, request: HydrationRequest) {
    return this.send<HydrationPlan>(
      'POST',
      `${entityPath(entity)}/hydration-plans`,
      checked(hydrationRequestSchema, request),
    );
  }

  async startHydration(entity: EntityName | string, request: HydrationRequest) {
    return this.send<HydrationJob>(
      'POST',
      `${entityPath(entity)}/hydrations`,
      checked(hydrationRequestSchema, request),
    );
  }

  async listHydrations(entity: EntityName | string): Promise<HydrationJob[]> {
    return (await this.get<HydrationJobList>(`${entityPath(entity)}/hydrations`)).items;
  }

  async getHydration(jobId: string) {
    return this.get<HydrationJob>(`/hydrations/${encodeURIComponent(jobId)}`);
  }

  async requestRestore(entity: EntityName | string, request: RestoreRequestBody) {
    return this.send<RestoreRequest>(
      'POST',
      `${entityPath(entity)}/restore-requests`,
      checked(restoreRequestSchema, request),
    );
  }

  async listRestoreRequests(entity: EntityName | string): Promise<RestoreRequest[]> {
    return (await this.get<RestoreRequestList>(`${entityPath(entity)}/restore-requests`)).items;
  }

  async getRestoreRequest(requestId: string) {
    return this.get<RestoreRequest>(`/restore-requests/${encodeURIComponent(requestId)}`);
  }

  async decideRestoreRequest(requestId: string, decision: RestoreDecisionBody) {
    return this.send<RestoreRequest>(
      'POST',
      `/restore-requests/${encodeURIComponent(requestId)}/decision`,
      checked(restoreDecisionSchema, decision),
    );
  }

  private async get<T>(path: string): Promise<T> {
    return this.send<T>('GET', path);
  }

  private async send<T>(method: string, path: string, body?: unknown): Promise<T> {
    const base = await this.discoveryApi.getBaseUrl('kube-backup');
    const response = await this.fetchApi.fetch(`${base}${path}`, {
      method,
      headers: body === undefined ? undefined : { 'Content-Type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    if (!response.ok) throw await ResponseError.fromResponse(response);
    return (await response.json()) as T;
  }
}

/**
 * The body as the backend's router will parse it, or an InputError saying why it would be
 * refused: checked here with the same schema, so a bad body never leaves the browser.
 */
function checked<T>(schema: RequestBodySchema<T>, body: unknown): T {
  const parsed = parseRequestBody(schema, body);
  if (parsed.problem !== undefined) throw new InputError(parsed.problem);
  return parsed.value;
}

/** `/entities/:kind/:namespace/:name` for an entity or an entity ref string. */
export function entityPath(entity: EntityName | string): string {
  const name =
    typeof entity === 'string' ? parseEntityRef(entity, { defaultKind: 'Component' }) : entity;
  const parts = [name.kind, name.namespace ?? 'default', name.name].map(part =>
    encodeURIComponent(part.toLocaleLowerCase('en-US')),
  );
  return `/entities/${parts.join('/')}`;
}
