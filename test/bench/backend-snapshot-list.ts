/**
 * p95 latency of the Backstage backend's "an entity's snapshots" query with 1,000 snapshots
 * in a local repository: the backend's SnapshotService (the work behind
 * GET /entities/:kind/:namespace/:name/snapshots, less HTTP and auth) warm and with its
 * listing cache expired, against the baseline of reading every snapshot document directly
 * (Repository.open + listSnapshots + findSnapshots) as a cache-less server would.
 * Run: node scripts/run-ts.mjs test/bench/backend-snapshot-list.ts
 */
import { mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { findSnapshots, Repository, type ObjectRecord } from '@kube-backup/core';
import type { LoggerService } from '@backstage/backend-plugin-api';
import { readKubeBackupConfig } from '../../plugins/kube-backup-backend/src/config';
import { entityScope } from '../../plugins/kube-backup-backend/src/service/EntityScope';
import { SnapshotService } from '../../plugins/kube-backup-backend/src/service/SnapshotService';
import { ConfigReader } from '@backstage/config';

const SNAPSHOTS = Number(process.env.SNAPSHOTS ?? 1000);
const RUNS = Number(process.env.RUNS ?? 200);
const ENTITIES = ['storefront', 'payments-api', 'search', 'checkout'];
const PASSWORD = 'bench';

function directorySize(dir: string): number {
  let bytes = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true, recursive: true })) {
    if (entry.isFile()) bytes += statSync(join(entry.parentPath, entry.name)).size;
  }
  return bytes;
}

function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
}

async function measure(
  runs: number,
  fn: () => Promise<unknown>,
): Promise<{ p50: number; p95: number }> {
  const times: number[] = [];
  for (let run = 0; run < runs; run += 1) {
    const start = process.hrtime.bigint();
    await fn();
    times.push(Number(process.hrtime.bigint() - start) / 1e6);
  }
  return { p50: percentile(times, 50), p95: percentile(times, 95) };
}

const silent = {
  info() {},
  warn() {},
  error() {},
  debug() {},
  child: () => silent,
} as unknown as LoggerService;

async function main() {
  const dir = mkdtempSync(join(tmpdir(), 'kube-backup-bench-backend-'));
  try {
    const location = `file://${dir}`;
    const repository = await Repository.init(location, PASSWORD, { kdf: { N: 1 << 14 } });
    // Each entity's objects change every 10 snapshots, so record lists are shared as in life.
    const lists = new Map<string, string>();
    const start = Date.parse('2026-01-01T00:00:00Z');
    for (let index = 0; index < SNAPSHOTS; index += 1) {
      const entity = ENTITIES[index % ENTITIES.length];
      const generation = Math.floor(index / 10);
      const key = `${entity}/${generation}`;
      let list = lists.get(key);
      if (!list) {
        const records: ObjectRecord[] = Array.from({ length: 40 }, (_, n) => ({
          group: n % 2 ? 'apps' : '',
          version: 'v1',
          kind: n % 2 ? 'Deployment' : 'ConfigMap',
          resource: n % 2 ? 'deployments' : 'configmaps',
          namespace: entity,
          name: `${entity}-${n}-${generation}`,
          labels: { 'backstage.io/kubernetes-id': entity, app: entity },
          restorable: true,
        }));
        list = (await repository.putJson(records)).id;
        lists.set(key, list);
      }
      await repository.saveSnapshot({
        time: new Date(start + index * 3600_000).toISOString(),
        cluster: { name: 'production', server: 'https://prod:6443' },
        selection: {
          namespaces: [entity],
          excludeNamespaces: [],
          includeClusterResources: 'auto',
          annotatedOnly: false,
          entities: [entity],
        },
        tags: index % 24 === 0 ? ['daily'] : [],
        entities: [entity],
        namespaces: [entity],
        recordLists: [list],
        counts: { objects: 40, restorable: 40, byKind: { Deployment: 20, ConfigMap: 20 } },
        images: [{ container: 'app', image: `${entity}:1`, digest: 'sha256:0' }],
        volumes: [],
        stats: { newBytes: 0, reusedBytes: 0, storedObjects: 40, reusedObjects: 0 },
        durationMs: 1000,
        status: 'complete',
        errors: [],
      });
    }
    await repository.close();
    const bytes = directorySize(dir);

    const config = readKubeBackupConfig(
      new ConfigReader({
        kubeBackup: {
          repository: { location, password: PASSWORD },
          snapshotCacheSeconds: 15,
          // The selector entity claims its namespace without an id: granted to its owner.
          namespaceOwners: [{ namespace: 'storefront', owners: ['group:default/shop-team'] }],
        },
      }),
    );
    const idEntity = entityScope(
      {
        apiVersion: 'backstage.io/v1alpha1',
        kind: 'Component',
        metadata: {
          name: 'storefront',
          annotations: { 'backstage.io/kubernetes-id': 'storefront' },
        },
      },
      config.namespaceOwners,
    )!;
    const selectorEntity = entityScope(
      {
        apiVersion: 'backstage.io/v1alpha1',
        kind: 'Component',
        metadata: {
          name: 'storefront',
          annotations: {
            'backstage.io/kubernetes-namespace': 'storefront',
            'backstage.io/kubernetes-label-selector': 'app=storefront',
          },
        },
        spec: { owner: 'shop-team' },
      },
      config.namespaceOwners,
    )!;

    const service = new SnapshotService(config, silent);
    const first = await service.listForEntity(idEntity, { limit: 50 });
    const warm = await measure(RUNS, () => service.listForEntity(idEntity, { limit: 50 }));
    const warmFiltered = await measure(RUNS, () =>
      service.listForEntity(idEntity, { tag: 'daily', since: '2026-01-10', limit: 50 }),
    );
    await service.listForEntity(selectorEntity, { limit: 50 });
    const warmSelector = await measure(RUNS, () =>
      service.listForEntity(selectorEntity, { limit: 50 }),
    );
    const coldRuns = Math.max(10, Math.floor(RUNS / 10));
    const cold = await measure(coldRuns, async () => {
      service.invalidate();
      return service.listForEntity(idEntity, { limit: 50 });
    });
    await service.close();

    const baseline = await measure(coldRuns, async () => {
      const repo = await Repository.open(location, PASSWORD);
      const all = await repo.listSnapshots();
      const found = await findSnapshots(repo, all, { entity: 'storefront' });
      await repo.close();
      return found.slice(0, 50);
    });

    const ms = (value: number) => `${value.toFixed(2)} ms`;
    console.log(
      `repository: ${SNAPSHOTS} snapshots, ${lists.size} record lists, ${(bytes / 1024 / 1024).toFixed(1)} MiB on disk; entity storefront has ${first.totalCount} snapshots, page of ${first.items.length}`,
    );
    console.log(
      `backend, warm listing cache (id annotation):      p50 ${ms(warm.p50)}  p95 ${ms(warm.p95)}  (${RUNS} runs)`,
    );
    console.log(
      `backend, warm, tag + since filters:              p50 ${ms(warmFiltered.p50)}  p95 ${ms(warmFiltered.p95)}  (${RUNS} runs)`,
    );
    console.log(
      `backend, warm, namespace + label selector:       p50 ${ms(warmSelector.p50)}  p95 ${ms(warmSelector.p95)}  (${RUNS} runs)`,
    );
    console.log(
      `backend, listing cache expired (re-list):        p50 ${ms(cold.p50)}  p95 ${ms(cold.p95)}  (${coldRuns} runs)`,
    );
    console.log(
      `baseline, open + read every snapshot document:   p50 ${ms(baseline.p50)}  p95 ${ms(baseline.p95)}  (${coldRuns} runs)`,
    );
    console.log(
      `ratio baseline p95 / backend warm p95: ${(baseline.p95 / warm.p95).toFixed(1)}x; baseline / cache-expired: ${(baseline.p95 / cold.p95).toFixed(1)}x`,
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

main().catch(error => {
  console.error(error);
  process.exit(1);
});
