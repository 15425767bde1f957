/**
 * `kubectl backup restore` of 10,000 objects in 50 namespaces into empty namespaces of the
 * test API server, against real `kubectl apply -f` and `kubectl create -f` of the same
 * objects written to files, each into fresh namespaces of the same server.
 *
 * Run: yarn build && node scripts/run-ts.mjs test/bench/restore.ts
 * Environment: OBJECTS (10000), NAMESPACES (50), CONCURRENCY (32), RUNS (3; the median is
 * reported), KUBECTL_BACKUP (the binary to measure; default the built one).
 *
 * A last row shows the server's own ceiling: a minimal keep-alive client creating the same
 * objects as fast as the server takes them, with no reading, checking or reporting.
 *
 * The server runs in this process, so every command runs as an asynchronous child process:
 * a synchronous one would stop the server answering it. Each round restores, applies and
 * creates into new namespaces, then deletes them, so every run meets the same server.
 */
import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { dump } from 'js-yaml';
import { startTestCluster } from '../src/server';
import { generateEstate } from './generate-objects';

const root = resolve(__dirname, '../..');
const cli = process.env.KUBECTL_BACKUP ?? join(root, 'kubectl-plugin/dist/kubectl-backup');
const total = Number(process.env.OBJECTS ?? 10_000);
const namespaceCount = Number(process.env.NAMESPACES ?? 50);
const concurrency = Number(process.env.CONCURRENCY ?? 32);
const rounds = Number(process.env.RUNS ?? 3);

type Tool = 'restore' | 'apply' | 'create' | 'ceiling';

interface Measurement {
  ms: number;
  /** Objects the command wrote. */
  written: number;
  /** Objects of the generated types found in its namespaces afterwards. */
  found: number;
}

function run(
  command: string,
  args: string[],
  env: NodeJS.ProcessEnv,
): Promise<{ ms: number; stdout: string }> {
  const start = process.hrtime.bigint();
  return new Promise((resolvePromise, reject) => {
    execFile(
      command,
      args,
      { env, maxBuffer: 1 << 30, encoding: 'utf8' },
      (error, stdout, stderr) => {
        const ms = Number(process.hrtime.bigint() - start) / 1e6;
        if (error)
          reject(
            new Error(`${command} ${args.slice(0, 3).join(' ')} … failed: ${stderr.slice(-2000)}`),
          );
        else resolvePromise({ ms, stdout });
      },
    );
  });
}

const namespacesOf = (prefix: string) =>
  Array.from({ length: namespaceCount }, (_, n) => `${prefix}-${String(n).padStart(2, '0')}`);

/** One YAML file per namespace, its Namespace first, as a user would keep manifests. */
function writeManifests(dir: string, objects: Array<Record<string, unknown>>): number {
  mkdirSync(dir, { recursive: true });
  const byNamespace = new Map<string, Array<Record<string, unknown>>>();
  for (const object of objects) {
    const metadata = object.metadata as { name: string; namespace?: string };
    const namespace = metadata.namespace ?? metadata.name;
    byNamespace.set(namespace, [...(byNamespace.get(namespace) ?? []), object]);
  }
  let bytes = 0;
  for (const [namespace, items] of byNamespace) {
    const file = join(dir, `${namespace}.yaml`);
    writeFileSync(
      file,
      items.map(item => dump(item, { noRefs: true, lineWidth: -1 })).join('---\n'),
    );
    bytes += statSync(file).size;
  }
  return bytes;
}

async function countObjects(env: NodeJS.ProcessEnv, prefix: string): Promise<number> {
  const { stdout } = await run(
    'kubectl',
    [
      'get',
      'configmaps,secrets,services,serviceaccounts,deployments',
      '-A',
      '-o',
      'jsonpath={range .items[*]}{.metadata.namespace}{"\\n"}{end}',
    ],
    env,
  );
  return stdout.split('\n').filter(line => line.startsWith(`${prefix}-`)).length;
}

/**
 * Creates the objects in a JSON file in order (namespaces first) over keep-alive HTTPS,
 * `concurrency` at a time: the least any client has to do.
 */
const CEILING_CLIENT = `
const https = require('node:https');
const fs = require('node:fs');
const [url, token, ca, file, concurrency] = process.argv.slice(1);
const objects = JSON.parse(fs.readFileSync(file, 'utf8'));
const agent = new https.Agent({ keepAlive: true, maxSockets: Number(concurrency), ca: fs.readFileSync(ca) });
const post = object => new Promise((resolve, reject) => {
  const [group, version] = object.apiVersion.includes('/') ? object.apiVersion.split('/') : ['', object.apiVersion];
  const resource = object.kind.toLowerCase() + (object.kind.endsWith('s') ? 'es' : 's');
  const scope = object.metadata.namespace ? '/namespaces/' + object.metadata.namespace : '';
  const path = (group ? '/apis/' + group + '/' + version : '/api/' + version) + scope + '/' + resource;
  const body = JSON.stringify(object);
  const request = https.request(url + path, { method: 'POST', agent, headers: { authorization: 'Bearer ' + token, 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) } }, response => {
    response.resume();
    response.on('end', () => (response.statusCode < 300 ? resolve() : reject(new Error(path + ': ' + response.statusCode))));
  });
  request.on('error', reject);
  request.end(body);
});
const run = async list => { let next = 0; await Promise.all(Array.from({ length: Number(concurrency) }, async () => { while (next < list.length) await post(list[next++]); })); };
run(objects.filter(o => o.kind === 'Namespace')).then(() => run(objects.filter(o => o.kind !== 'Namespace'))).catch(error => { console.error(error.message); process.exit(1); });
`;

const median = (values: number[]) =>
  [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];

async function main(): Promise<void> {
  const source = generateEstate(total, namespaceCount, 'src');
  const cluster = await startTestCluster({ seed: source });
  const work = mkdtempSync(join(tmpdir(), 'bench-restore-'));
  const env = {
    ...process.env,
    KUBECONFIG: cluster.kubeconfigPath,
    HOME: work,
    KUBE_BACKUP_REPOSITORY: `file://${join(work, 'repository')}`,
    KUBE_BACKUP_PASSWORD: 'benchmark',
  };
  try {
    await run(cli, ['repo', 'init'], env);
    const created = await run(
      cli,
      ['create', '--include-namespaces', namespacesOf('src').join(','), '-o', 'json'],
      env,
    );
    const snapshot = JSON.parse(created.stdout) as { id: string; counts: { restorable: number } };
    // Discovery is cached under HOME for every kubectl run alike.
    await run('kubectl', ['api-resources', '-o', 'name'], env);

    const results: Record<Tool, Measurement[]> = {
      restore: [],
      apply: [],
      create: [],
      ceiling: [],
    };
    let yamlBytes = 0;
    const phases: Array<{ planningMs: number; checkingMs: number; writingMs: number }> = [];
    for (let round = 1; round <= rounds; round++) {
      const prefix = (tool: Tool) => `${tool.slice(0, 2)}${round}`;

      const mapping = namespacesOf('src')
        .map((namespace, index) => `${namespace}:${namespacesOf(prefix('restore'))[index]}`)
        .join(',');
      const restore = await run(
        cli,
        [
          'restore',
          snapshot.id,
          '--namespace-mapping',
          mapping,
          '--concurrency',
          String(concurrency),
          '-o',
          'json',
        ],
        env,
      );
      const report = JSON.parse(restore.stdout) as {
        counts: { created: number; failed: number };
        phases: { planningMs: number; checkingMs: number; writingMs: number };
      };
      if (report.counts.failed > 0)
        throw new Error(`${report.counts.failed} objects failed to restore`);
      phases.push(report.phases);
      results.restore.push({
        ms: restore.ms,
        written: report.counts.created,
        found: await countObjects(env, prefix('restore')),
      });

      for (const tool of ['apply', 'create'] as const) {
        // The same objects as the snapshot holds, generated again for other namespaces.
        const manifests = generateEstate(total, namespaceCount, prefix(tool));
        const dir = join(work, prefix(tool));
        yamlBytes = writeManifests(dir, manifests);
        const result = await run('kubectl', [tool, '-f', dir], env);
        results[tool].push({
          ms: result.ms,
          written: manifests.length,
          found: await countObjects(env, prefix(tool)),
        });
      }
      const ceilingObjects = generateEstate(total, namespaceCount, prefix('ceiling'));
      const ceilingFile = join(work, `${prefix('ceiling')}.json`);
      writeFileSync(ceilingFile, JSON.stringify(ceilingObjects));
      const ceiling = await run(
        process.execPath,
        [
          '-e',
          CEILING_CLIENT,
          cluster.url,
          cluster.token,
          cluster.caFile ?? '',
          ceilingFile,
          String(concurrency),
        ],
        env,
      );
      results.ceiling.push({
        ms: ceiling.ms,
        written: ceilingObjects.length,
        found: await countObjects(env, prefix('ceiling')),
      });

      const found = new Set(Object.values(results).map(list => list[list.length - 1].found));
      if (found.size !== 1)
        throw new Error(
          `round ${round}: the runs left different objects behind: ${[...found].join(', ')}`,
        );

      // Not measured. The test server removes a namespace's contents at once, so there is
      // no need for --wait, which polls the namespaces one after another.
      for (const tool of ['restore', 'apply', 'create', 'ceiling'] as const) {
        await run(
          'kubectl',
          ['delete', 'namespace', ...namespacesOf(prefix(tool)), '--wait=false'],
          env,
        );
      }
    }

    const summary = (tool: Tool) => {
      const ms = median(results[tool].map(entry => entry.ms));
      return {
        ms,
        written: results[tool][0].written,
        perSecond: (results[tool][0].written / ms) * 1000,
      };
    };
    const apply = summary('apply');
    console.log(
      `restore: ${snapshot.counts.restorable} restorable objects in ${namespaceCount} namespaces ` +
        `(ConfigMaps, Secrets, Services, ServiceAccounts, Deployments; ${(yamlBytes / 1024 / 1024).toFixed(1)} MiB as YAML) ` +
        `into empty namespaces of the test API server (in the benchmark's process); node ${process.version}, ${cpus().length} CPUs; ` +
        `wall time of each whole command, median of ${rounds} round(s); restore concurrency ${concurrency}`,
    );
    const phase = (key: 'planningMs' | 'checkingMs' | 'writingMs') =>
      (median(phases.map(entry => entry[key])) / 1000).toFixed(2);
    console.log(
      `restore phases (median): reading and transforming ${phase('planningMs')} s, checking the target ${phase('checkingMs')} s, ` +
        `writing ${phase('writingMs')} s; the rest of its wall time is process start and opening the repository`,
    );
    console.log('');
    console.log('| run | objects written | wall s | objects/s | vs kubectl apply |');
    console.log('| --- | --- | --- | --- | --- |');
    const rows: Array<[string, Tool]> = [
      [`kubectl backup restore --concurrency ${concurrency}`, 'restore'],
      ['kubectl apply -f (client-side apply)', 'apply'],
      ['kubectl create -f', 'create'],
      [`server ceiling: bare keep-alive POSTs, concurrency ${concurrency}`, 'ceiling'],
    ];
    for (const [name, tool] of rows) {
      const entry = summary(tool);
      console.log(
        `| ${name} | ${entry.written} | ${(entry.ms / 1000).toFixed(1)} | ${entry.perSecond.toFixed(0)} | ${(apply.ms / entry.ms).toFixed(2)}x |`,
      );
    }
  } finally {
    await cluster.stop();
    rmSync(work, { recursive: true, force: true });
  }
}

void main().catch(error => {
  console.error(error instanceof Error ? error.message : error);
  process.exitCode = 1;
});
