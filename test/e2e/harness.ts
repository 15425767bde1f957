import { execFile } from 'node:child_process';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { Repository, type KubeObject } from '@kube-backup/core';
import { FAST_KDF } from '../../shared/src/repository/testing';
import { dump, loadAll } from 'js-yaml';
import { startTestCluster, type TestCluster } from '../src/server';

const run = promisify(execFile);

export const ROOT = resolve(__dirname, '../..');
export const CLI = join(ROOT, 'kubectl-plugin/dist/kubectl-backup');
export const FIXTURES = join(ROOT, 'test/fixtures/production');

/**
 * The cluster an end-to-end suite runs against: the in-process test server seeded with
 * the production fixtures, or a real cluster when KUBE_BACKUP_E2E_KUBECONFIG names one
 * (the fixtures are applied there with kubectl, minus the controller-made children a
 * real cluster makes itself).
 */
export interface E2eCluster {
  kubeconfig: string;
  /** Present only for the test server: direct access for fault injection and assertions. */
  server?: TestCluster;
  stop(): Promise<void>;
}

export async function startE2eCluster(): Promise<E2eCluster> {
  const real = process.env.KUBE_BACKUP_E2E_KUBECONFIG;
  if (real) {
    await applyFixturesToRealCluster(real);
    return { kubeconfig: real, stop: async () => undefined };
  }
  const server = await startTestCluster({ seed: [FIXTURES] });
  return { kubeconfig: server.kubeconfigPath, server, stop: () => server.stop() };
}

/** Kinds a real cluster makes or owns itself, which a user never applies. */
const MADE_BY_THE_CLUSTER = new Set(['Node', 'Event', 'Endpoints', 'EndpointSlice']);

/**
 * Applies what a user would apply from the fixtures: no controller-made children, no
 * status or server-set metadata. CRDs go first and must be established before their
 * custom resources.
 */
async function applyFixturesToRealCluster(kubeconfig: string): Promise<void> {
  const files = (await readdir(FIXTURES, { recursive: true }))
    .filter(file => /\.ya?ml$/.test(file))
    .sort()
    .map(file => join(FIXTURES, file));
  const manifests: KubeObject[] = [];
  for (const file of files) {
    for (const doc of loadAll(await readFile(file, 'utf8')) as KubeObject[]) {
      if (!doc || doc.metadata.ownerReferences || MADE_BY_THE_CLUSTER.has(doc.kind)) continue;
      const { status: _status, ...object } = doc;
      const {
        uid: _uid,
        resourceVersion: _rv,
        creationTimestamp: _created,
        ...metadata
      } = object.metadata;
      manifests.push({ ...object, metadata } as KubeObject);
    }
  }
  const dir = await mkdtemp(join(tmpdir(), 'kube-backup-fixtures-'));
  try {
    const crds = manifests.filter(manifest => manifest.kind === 'CustomResourceDefinition');
    const rest = manifests.filter(manifest => manifest.kind !== 'CustomResourceDefinition');
    for (const [name, batch] of [
      ['crds', crds],
      ['objects', rest],
    ] as const) {
      const file = join(dir, `${name}.yaml`);
      await writeFile(file, batch.map(manifest => dump(manifest)).join('---\n'));
      await kubectl(kubeconfig, ['apply', '--server-side', '--force-conflicts', '-f', file]);
      if (name === 'crds' && batch.length > 0) {
        await kubectl(kubeconfig, [
          'wait',
          '--for',
          'condition=established',
          '--timeout=60s',
          ...batch.map(crd => `crd/${crd.metadata.name}`),
        ]);
      }
    }
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

export async function kubectl(kubeconfig: string, args: string[]): Promise<string> {
  const { stdout } = await run('kubectl', ['--kubeconfig', kubeconfig, ...args], {
    maxBuffer: 64 << 20,
  });
  return stdout;
}

/** Whether kubectl finds the object (`'configmap', 'web', '-n', 'shop'`). */
export async function exists(kubeconfig: string, ...args: string[]): Promise<boolean> {
  return (
    (await kubectl(kubeconfig, ['get', ...args, '--ignore-not-found', '-o', 'name'])).trim() !== ''
  );
}

/** Writes manifests into a file of the directory and applies them with kubectl. */
export async function applyYaml(
  kubeconfig: string,
  dir: string,
  name: string,
  yaml: string,
): Promise<void> {
  const file = join(dir, name);
  await writeFile(file, yaml);
  await kubectl(kubeconfig, ['apply', '-f', file]);
}

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** The `error:` lines a command printed on stderr. */
export function errorLines(result: CliResult): string[] {
  return result.stderr.split('\n').filter(line => line.startsWith('error:'));
}

/**
 * Expects a command to have failed with this exit code (the README's table: 1 bad input,
 * 3 not found, 4 refused, 5 access denied, 6 busy, 7 unreachable, 8 damaged data) and one
 * error line, and returns that line.
 */
export function expectOneError(result: CliResult, exitCode: number): string {
  expect(result.code).toBe(exitCode);
  expect(errorLines(result)).toHaveLength(1);
  return errorLines(result)[0];
}

/** A scratch repository and HOME, so a suite never touches the user's own. */
export interface Workspace {
  dir: string;
  repository: string;
  env: NodeJS.ProcessEnv;
  cli(args: string[], extraEnv?: NodeJS.ProcessEnv): Promise<CliResult>;
  /**
   * Creates the repository `env` names with a cheap key derivation. `repo init` chooses a
   * memory-hard cost that makes every later command spend a second or more of CPU opening
   * the repository; suites that are not about init use this instead.
   */
  initRepository(): Promise<void>;
  cleanup(): Promise<void>;
}

export async function createWorkspace(
  kubeconfig: string,
  password = 'correct horse battery staple',
): Promise<Workspace> {
  const dir = await mkdtemp(join(tmpdir(), 'kube-backup-e2e-'));
  const repository = `file://${join(dir, 'repository')}`;
  const env: NodeJS.ProcessEnv = {
    PATH: process.env.PATH,
    HOME: dir,
    KUBECONFIG: kubeconfig,
    KUBE_BACKUP_REPOSITORY: repository,
    KUBE_BACKUP_PASSWORD: password,
    // Suites of objects capture no volume data (their claims' pods do not run); the
    // volume suites ask for it.
    KUBE_BACKUP_VOLUMES: 'none',
  };
  return {
    dir,
    repository,
    env,
    cli: (args, extraEnv = {}) => runCli(args, { ...env, ...extraEnv }),
    async initRepository() {
      const location = env.KUBE_BACKUP_REPOSITORY ?? repository;
      const created = await Repository.init(location, password, { kdf: FAST_KDF });
      await created.close();
    },
    cleanup: () => rm(dir, { recursive: true, force: true }),
  };
}

/** Runs the built CLI (or another executable, such as a shell wrapping it). */
export function runCli(
  args: string[],
  env: NodeJS.ProcessEnv,
  executable = CLI,
): Promise<CliResult> {
  return new Promise(resolvePromise => {
    execFile(executable, args, { env, maxBuffer: 64 << 20 }, (error, stdout, stderr) => {
      const code = error ? (typeof error.code === 'number' ? error.code : 1) : 0;
      resolvePromise({ code, stdout, stderr });
    });
  });
}
