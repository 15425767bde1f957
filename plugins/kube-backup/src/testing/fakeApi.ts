// An in-memory KubeBackupApi for component tests: it keeps state like the backend does
// (requests change status when decided) and can be told to refuse. Jobs move only when the
// test moves them (a gate): the page polls, and shows the step the test set.
import type { Entity } from '@backstage/catalog-model';
import type {
  HydrationJob,
  HydrationPlan,
  HydrationTarget,
  JobLogLine,
  RestoreDecisionBody,
  RestoreRequest,
  RestoreRequestBody,
  SnapshotDetail,
  SnapshotSummary,
  VolumeFileEntry,
} from '@kube-backup/backstage-plugin-kube-backup-common';
import type {
  EntityName,
  HydrationRequest,
  KubeBackupApi,
  SnapshotQuery,
  VolumeRef,
} from '../api/types';

export const storefront: Entity = {
  apiVersion: 'backstage.io/v1alpha1',
  kind: 'Component',
  metadata: {
    name: 'storefront',
    namespace: 'default',
    annotations: { 'backstage.io/kubernetes-id': 'storefront' },
  },
  spec: { type: 'service', lifecycle: 'production', owner: 'shop-team' },
};

export function httpError(status: number, message: string): Error {
  return Object.assign(new Error(`Request failed with ${status}: ${message}`), {
    name: 'ResponseError',
    statusCode: status,
    body: { error: { name: 'Error', message }, response: { statusCode: status } },
  });
}

const HOUR = 3600_000;

export function summary(index: number, overrides: Partial<SnapshotSummary> = {}): SnapshotSummary {
  return {
    id: `${index}`.padStart(4, '0') + 'abcdef0123456789',
    time: new Date(Date.now() - (index + 1) * HOUR).toISOString(),
    cluster: { name: 'production', server: 'https://prod.example:6443', version: 'v1.31.0' },
    tags: index % 2 === 0 ? ['release'] : ['nightly'],
    entities: ['storefront'],
    namespaces: ['shop'],
    status: 'complete',
    objectCount: 5,
    restorableCount: 4,
    errorCount: 0,
    volumeCount: 1,
    durationMs: 1200,
    volumeDataBytes: 50 * 1024 * 1024,
    ...overrides,
  };
}

export function detailOf(snapshot: SnapshotSummary): SnapshotDetail {
  return {
    ...snapshot,
    selection: { namespaces: ['shop'], entities: ['storefront'] },
    objectsByKind: {
      Deployment: [
        {
          group: 'apps',
          version: 'v1',
          kind: 'Deployment',
          namespace: 'shop',
          name: 'storefront',
          restorable: true,
        },
      ],
      Service: [
        {
          group: '',
          version: 'v1',
          kind: 'Service',
          namespace: 'shop',
          name: 'storefront',
          restorable: true,
        },
      ],
      ConfigMap: [
        {
          group: '',
          version: 'v1',
          kind: 'ConfigMap',
          namespace: 'shop',
          name: 'storefront-config',
          restorable: true,
        },
      ],
      Secret: [
        {
          group: '',
          version: 'v1',
          kind: 'Secret',
          namespace: 'shop',
          name: 'storefront-db',
          restorable: true,
        },
      ],
      Pod: [
        {
          group: '',
          version: 'v1',
          kind: 'Pod',
          namespace: 'shop',
          name: 'storefront-5d9c',
          restorable: false,
          phase: 'Running',
          node: 'node-1',
        },
      ],
    },
    images: [
      { container: 'web', image: 'shop/web:1.4', digest: 'sha256:0123456789abcdef' },
      { container: 'sidecar', image: 'shop/proxy:2' },
    ],
    volumes: [
      {
        namespace: 'shop',
        claim: 'data',
        size: '1Gi',
        storageClass: 'standard',
        data:
          snapshot.volumeDataBytes === undefined
            ? { status: 'not-captured', reason: 'not marked for data capture' }
            : {
                status: 'captured',
                method: 'snapshot',
                consistency: 'application',
                bytes: snapshot.volumeDataBytes,
                files: 1200,
                hooks: [
                  { phase: 'pre', pod: 'storefront-db-0', container: 'db', outcome: 'succeeded' },
                  { phase: 'post', pod: 'storefront-db-0', container: 'db', outcome: 'succeeded' },
                ],
              },
      },
    ],
    errors:
      snapshot.status === 'partial'
        ? [{ resource: 'secrets', namespace: 'shop', message: 'secrets is forbidden' }]
        : [],
  };
}

function fileEntry(path: string, type: VolumeFileEntry['type'], size?: number): VolumeFileEntry {
  return {
    path,
    name: path.split('/').pop()!,
    type,
    ...(size !== undefined ? { size } : {}),
    permissions: type === 'dir' ? 'drwxr-xr-x' : '-rw-r-----',
    uid: 1000,
    gid: 2000,
    mtime: '2026-03-04T05:06:07Z',
  };
}

/** The files of the claim shop/data in every fake snapshot, by folder. */
export const VOLUME_FILES: Record<string, VolumeFileEntry[]> = {
  '/': [fileEntry('/conf', 'dir'), fileEntry('/notes.txt', 'file', 18)],
  '/conf': [fileEntry('/conf/app.yaml', 'file', 12), fileEntry('/conf/nested', 'dir')],
  '/conf/nested': [fileEntry('/conf/nested/app.yaml.bak', 'file', 2048)],
};

export class FakeKubeBackupApi implements KubeBackupApi {
  snapshots: SnapshotSummary[] = [];
  targets: HydrationTarget[] = [
    {
      name: 'dev',
      title: 'Developer namespaces',
      cluster: 'dev',
      namespaces: ['dev-*'],
      allowSecrets: false,
    },
  ];
  hydrations: HydrationJob[] = [];
  requests: RestoreRequest[] = [];
  /** Whether the viewer may download files, as the backend's listings say. */
  canDownload = true;
  /** Set to make a call fail: the method name → the error to throw. */
  failures: Partial<Record<keyof KubeBackupApi, Error>> = {};
  /** What planHydration answers: the backend's plan for the body it is given. */
  plan: (request: HydrationRequest) => HydrationPlan = request => planOf(request);
  readonly calls: Array<{ method: string; args: unknown[] }> = [];
  private readonly waiting: Array<{ method: string; times: number; resolve(): void }> = [];

  constructor(snapshots: SnapshotSummary[] = []) {
    this.snapshots = snapshots;
  }

  private record(method: keyof KubeBackupApi, args: unknown[]) {
    this.calls.push({ method, args });
    for (const waiter of [...this.waiting]) {
      if (this.callsOf(waiter.method) >= waiter.times) {
        this.waiting.splice(this.waiting.indexOf(waiter), 1);
        waiter.resolve();
      }
    }
    const failure = this.failures[method];
    if (failure) throw failure;
  }

  private callsOf(method: string): number {
    return this.calls.filter(call => call.method === method).length;
  }

  /** Resolves once the page has called `method` `times` times (already or later). */
  called(method: keyof KubeBackupApi, times = 1): Promise<void> {
    if (this.callsOf(method) >= times) return Promise.resolve();
    return new Promise(resolve => this.waiting.push({ method, times, resolve }));
  }

  /** Moves a running hydration or restore on to a step: its progress and a log line. */
  step(id: string, progress: number, message: string): void {
    const job = this.job(id);
    Object.assign(job, {
      status: 'running',
      progress,
      log: [...(job.log ?? []), logLine('info', message)],
    });
  }

  /** Ends a hydration: written as asked, or refused by the cluster. */
  finishHydration(id: string, outcome: 'succeeded' | 'failed' = 'succeeded'): void {
    const job = this.hydrations.find(candidate => candidate.id === id);
    if (!job) throw new Error(`no hydration ${id} was started`);
    const finishedAt = new Date().toISOString();
    if (outcome === 'failed') {
      Object.assign(job, {
        status: 'failed',
        finishedAt,
        error: 'the API server refused Deployment/storefront: quota exceeded',
        log: [...job.log, logLine('error', 'quota exceeded')],
      });
      return;
    }
    Object.assign(job, {
      status: 'succeeded',
      progress: 1,
      finishedAt,
      log: [...job.log, logLine('info', 'hydration finished')],
      result: {
        counts: { created: 3, updated: 0, failed: 0 },
        objects: [
          { kind: 'Deployment', name: 'storefront', namespace: job.namespace, outcome: 'created' },
          { kind: 'Service', name: 'storefront', namespace: job.namespace, outcome: 'created' },
          {
            kind: 'ConfigMap',
            name: 'storefront-config',
            namespace: job.namespace,
            outcome: 'created',
          },
        ],
        missingSecrets: [{ name: 'storefront-db', usedBy: ['Deployment/storefront'] }],
      },
    });
  }

  /** Ends an approved restore: objects written, or nothing matched (and why). */
  finishRestore(
    id: string,
    outcome: { status: 'succeeded' } | { status: 'nothing-restored'; why: string } = {
      status: 'succeeded',
    },
  ): void {
    const request = this.requests.find(candidate => candidate.id === id);
    if (!request) throw new Error(`no restore request ${id}`);
    const finishedAt = new Date().toISOString();
    const log = request.log ?? [];
    if (outcome.status === 'nothing-restored') {
      Object.assign(request, {
        status: 'nothing-restored',
        progress: 1,
        finishedAt,
        outcomeMessage: outcome.why,
        log: [...log, logLine('warn', outcome.why)],
      });
      return;
    }
    Object.assign(request, {
      status: 'succeeded',
      progress: 1,
      finishedAt,
      outcome: request.files
        ? {
            targetClaim: request.files.targetClaim ?? request.files.claim,
            paths: request.files.paths.map((path, index) => ({
              path,
              target: path,
              outcome: index === 0 ? 'restored' : 'skipped',
              restored: index === 0 ? 1 : 0,
              overwritten: 0,
              renamed: 0,
              skipped: index === 0 ? 0 : 1,
              ...(index === 0 ? {} : { message: '1 file(s) exist and were left as they are' }),
            })),
          }
        : { counts: { updated: 2 } },
      log: [...log, logLine('info', 'restore finished')],
    });
  }

  private job(id: string): HydrationJob | RestoreRequest {
    const job =
      this.hydrations.find(candidate => candidate.id === id) ??
      this.requests.find(candidate => candidate.id === id);
    if (!job) throw new Error(`no job ${id}`);
    return job;
  }

  async listSnapshots(entity: EntityName | string, query: SnapshotQuery = {}) {
    this.record('listSnapshots', [entity, query]);
    const offset = query.offset ?? 0;
    const limit = query.limit ?? 50;
    return {
      items: this.snapshots.slice(offset, offset + limit),
      totalCount: this.snapshots.length,
      offset,
      limit,
    };
  }

  async getSnapshot(entity: EntityName | string, snapshotId: string) {
    this.record('getSnapshot', [entity, snapshotId]);
    const found = this.snapshots.find(snapshot => snapshot.id.startsWith(snapshotId));
    if (!found) throw httpError(404, `no snapshot ${snapshotId}`);
    return detailOf(found);
  }

  async listHydrationTargets(entity: EntityName | string) {
    this.record('listHydrationTargets', [entity]);
    return this.targets;
  }

  async planHydration(entity: EntityName | string, request: HydrationRequest) {
    this.record('planHydration', [entity, request]);
    return this.plan(request);
  }

  async startHydration(entity: EntityName | string, request: HydrationRequest) {
    this.record('startHydration', [entity, request]);
    const target = this.targets.find(candidate => candidate.name === request.target)!;
    const job: HydrationJob = {
      id: `job-${this.hydrations.length + 1}`,
      entityRef: String(entity),
      snapshotId: request.snapshotId,
      target: request.target,
      cluster: target.cluster,
      namespace: request.namespace,
      status: 'pending',
      progress: 0,
      createdBy: 'user:default/dev',
      createdAt: new Date().toISOString(),
      log: [],
    };
    this.hydrations.unshift(job);
    return job;
  }

  async listHydrations(entity: EntityName | string) {
    this.record('listHydrations', [entity]);
    return this.hydrations.map(job => ({ ...job }));
  }

  async getHydration(jobId: string) {
    this.record('getHydration', [jobId]);
    return { ...this.hydrations.find(candidate => candidate.id === jobId)! };
  }

  async requestRestore(entity: EntityName | string, body: RestoreRequestBody) {
    this.record('requestRestore', [entity, body]);
    const request: RestoreRequest = {
      id: `request-${this.requests.length + 1}`,
      entityRef: String(entity),
      snapshotId: body.snapshotId,
      cluster: 'production',
      type: body.files ? 'files' : 'objects',
      scope: body.scope ?? {},
      ...(body.files ? { files: body.files } : {}),
      reason: body.reason,
      status: 'pending',
      requestedBy: 'user:default/dev',
      requestedAt: new Date().toISOString(),
    };
    this.requests.unshift(request);
    return request;
  }

  async listRestoreRequests(entity: EntityName | string) {
    this.record('listRestoreRequests', [entity]);
    return this.requests.map(request => ({ ...request }));
  }

  async getRestoreRequest(requestId: string) {
    this.record('getRestoreRequest', [requestId]);
    return { ...this.requests.find(request => request.id === requestId)! };
  }

  async decideRestoreRequest(requestId: string, decision: RestoreDecisionBody) {
    this.record('decideRestoreRequest', [requestId, decision]);
    const request = this.requests.find(candidate => candidate.id === requestId)!;
    if (request.status !== 'pending') throw httpError(409, `already ${request.status}`);
    const time = new Date().toISOString();
    Object.assign(request, {
      status: decision.decision === 'approve' ? 'approved' : 'rejected',
      decidedBy: 'user:default/alice',
      decidedAt: time,
      decisionComment: decision.comment,
      log:
        decision.decision === 'approve'
          ? [logLine('info', `restoring ${request.entityRef}`)]
          : undefined,
    });
    return { ...request };
  }

  async listFiles(entity: EntityName | string, volume: VolumeRef, path = '/') {
    this.record('listFiles', [entity, volume, path]);
    const entries = VOLUME_FILES[path];
    if (!entries) throw httpError(404, `${volume.namespace}/${volume.claim} holds no ${path}`);
    return { ...volume, path, entries, canDownload: this.canDownload };
  }

  async searchFiles(entity: EntityName | string, volume: VolumeRef, name: string) {
    this.record('searchFiles', [entity, volume, name]);
    const entries = Object.values(VOLUME_FILES)
      .flat()
      .filter(entry => entry.name.toLowerCase().includes(name.toLowerCase()));
    return { ...volume, entries, truncated: false, canDownload: this.canDownload };
  }

  async downloadFile(entity: EntityName | string, volume: VolumeRef, path: string) {
    this.record('downloadFile', [entity, volume, path]);
    return { fileName: path.split('/').pop()!, content: new Blob([`content of ${path}`]) };
  }
}

function logLine(level: JobLogLine['level'], message: string): JobLogLine {
  return { time: new Date().toISOString(), level, message };
}

/**
 * The plan the backend would answer for storefront: its restorable objects in the target
 * namespace (Secrets only when asked), the namespace itself, plurals as discovery names them.
 */
export function planOf(request: HydrationRequest): HydrationPlan {
  const created = (names: string[]) =>
    names.map(name => ({ namespace: request.namespace, name, outcome: 'created' as const }));
  const kinds = [
    {
      group: 'apps',
      version: 'v1',
      kind: 'Deployment',
      resource: 'deployments',
      names: ['storefront'],
    },
    {
      group: '',
      version: 'v1',
      kind: 'ConfigMap',
      resource: 'configmaps',
      names: ['storefront-config'],
    },
    {
      group: 'networking.k8s.io',
      version: 'v1',
      kind: 'NetworkPolicy',
      resource: 'networkpolicies',
      names: ['storefront-allow-web', 'storefront-deny-all'],
    },
    ...(request.includeSecrets
      ? [
          {
            group: '',
            version: 'v1',
            kind: 'Secret',
            resource: 'secrets',
            names: ['storefront-db'],
          },
        ]
      : []),
    { group: '', version: 'v1', kind: 'Service', resource: 'services', names: ['storefront'] },
  ];
  return {
    snapshotId: request.snapshotId,
    cluster: 'dev',
    namespace: request.namespace,
    sourceNamespace: 'shop',
    kinds: [
      ...kinds.map(({ names, ...kind }) => ({ ...kind, objects: created(names) })),
      {
        group: '',
        version: 'v1',
        kind: 'Namespace',
        resource: 'namespaces',
        objects: [{ name: request.namespace, outcome: 'created' as const }],
      },
    ].sort((a, b) => a.kind.localeCompare(b.kind)),
    missingSecrets: request.includeSecrets
      ? []
      : [{ name: 'storefront-db', usedBy: ['Deployment/storefront'] }],
    droppedAutoscalers: [],
    leftOutIngresses: [],
    warnings: [],
  };
}
