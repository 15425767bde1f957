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
  type VolumeFileSearch,
  type VolumeFolder,
} from '@kube-backup/backstage-plugin-kube-backup-common';
import type {
  DownloadedFile,
  EntityName,
  HydrationRequest,
  KubeBackupApi,
  SnapshotQuery,
  VolumeRef,
} from './types';

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
    return this.get<SnapshotList>(`${entityPath(entity)}/snapshots${queryString({ ...query })}`);
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

  async listFiles(entity: EntityName | string, volume: VolumeRef, path?: string) {
    return this.get<VolumeFolder>(`${volumePath(entity, volume)}/files${queryString({ path })}`);
  }

  async searchFiles(entity: EntityName | string, volume: VolumeRef, name: string) {
    return this.get<VolumeFileSearch>(
      `${volumePath(entity, volume)}/files/search${queryString({ name })}`,
    );
  }

  async downloadFile(
    entity: EntityName | string,
    volume: VolumeRef,
    path: string,
  ): Promise<DownloadedFile> {
    const response = await this.fetch(
      'GET',
      `${volumePath(entity, volume)}/files/content${queryString({ path })}`,
    );
    const disposition = response.headers.get('Content-Disposition') ?? '';
    const fileName =
      /filename\*=UTF-8''([^;]+)/i.exec(disposition)?.[1] ??
      /filename="([^"]*)"/i.exec(disposition)?.[1];
    return {
      fileName: fileName ? decodeURIComponent(fileName) : path.split('/').pop() || volume.claim,
      content: await response.blob(),
    };
  }

  private async get<T>(path: string): Promise<T> {
    return this.send<T>('GET', path);
  }

  private async send<T>(method: string, path: string, body?: unknown): Promise<T> {
    return (await (await this.fetch(method, path, body)).json()) as T;
  }

  private async fetch(method: string, path: string, body?: unknown): Promise<Response> {
    const base = await this.discoveryApi.getBaseUrl('kube-backup');
    const response = await this.fetchApi.fetch(`${base}${path}`, {
      method,
      headers: body === undefined ? undefined : { 'Content-Type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    if (!response.ok) throw await ResponseError.fromResponse(response);
    return response;
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

/** A query string of the values given (`?a=1&b=x`), or '' when none is. */
function queryString(values: Record<string, string | number | undefined>): string {
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(values)) {
    if (value !== undefined && value !== '') params.set(key, String(value));
  }
  const text = params.toString();
  return text ? `?${text}` : '';
}

/** The routes of one of the entity's claims in one of its snapshots. */
function volumePath(entity: EntityName | string, volume: VolumeRef): string {
  const parts = [volume.snapshotId, volume.namespace, volume.claim].map(encodeURIComponent);
  return `${entityPath(entity)}/snapshots/${parts[0]}/volumes/${parts[1]}/${parts[2]}`;
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
