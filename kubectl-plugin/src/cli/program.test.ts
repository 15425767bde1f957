import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli } from './program';

/**
 * The command line as a user meets it, without a cluster: arguments are parsed and checked
 * before anything is opened, a failure is one `error:` line, and the exit code says which
 * kind of failure it was. The kubeconfig points at nothing that answers, so a command that
 * tried to reach a cluster would fail differently from what these tests expect.
 */
describe('kubectl backup argument handling', () => {
  let home: string;
  let env: NodeJS.ProcessEnv;
  let stderr: string;
  let stdout: string;

  beforeAll(async () => {
    home = await mkdtemp(join(tmpdir(), 'kube-backup-cli-'));
    await writeFile(
      join(home, 'kubeconfig'),
      [
        'apiVersion: v1',
        'kind: Config',
        // Plain HTTP without skip-TLS: the Kubernetes client refuses it with an error of its own.
        'clusters: [{name: c, cluster: {server: "http://127.0.0.1:9"}}]',
        'contexts: [{name: c, context: {cluster: c, user: u}}]',
        'current-context: c',
        'users: [{name: u, user: {token: t}}]',
      ].join('\n'),
    );
  });
  afterAll(() => rm(home, { recursive: true, force: true }));

  beforeEach(() => {
    stderr = '';
    stdout = '';
    env = { HOME: home, KUBECONFIG: join(home, 'kubeconfig'), KUBE_BACKUP_PASSWORD: 'pw' };
    jest.spyOn(process.stderr, 'write').mockImplementation(chunk => {
      stderr += String(chunk);
      return true;
    });
    jest.spyOn(process.stdout, 'write').mockImplementation(chunk => {
      stdout += String(chunk);
      return true;
    });
    // yargs prints --help through console.log.
    jest.spyOn(console, 'log').mockImplementation((...parts: unknown[]) => {
      stdout += `${parts.join(' ')}\n`;
    });
  });
  afterEach(() => jest.restoreAllMocks());

  /** Runs the CLI with the test's environment in place of the process's. */
  async function run(...args: string[]): Promise<number> {
    const saved = process.env;
    process.env = env;
    try {
      return await runCli(args, env);
    } finally {
      process.env = saved;
    }
  }

  const lines = () => stderr.trim().split('\n');

  it.each([
    [['frobnicate'], /^error: Unknown argument: frobnicate$/],
    [['restore'], /^error: Not enough non-option arguments/],
    [['restore', 'latest', '--existing', 'sometimes'], /^error: Invalid values:.*existing/],
    [['list', '--newest-first'], /^error: Unknown arguments?: .*newest-first/],
    [
      ['hydrate', '--to', 'dev', '--with-data', '--without-data'],
      /^error: --with-data and --without-data cannot be combined$/,
    ],
    [
      ['restore', 'latest', '--overwrite-volume-data'],
      /^error: --overwrite-volume-data needs --existing update$/,
    ],
    [
      ['annotate', 'deploy/web', '--exclude', '--remove'],
      /^error: --exclude and --remove cannot be combined$/,
    ],
    [
      ['create', '-A', '-n', 'shop'],
      /^error: -A\/--all-namespaces cannot be combined with -n or --include-namespaces$/,
    ],
    [['prune', '--keep-last', '-2'], /^error: --keep-last must be a whole number ≥ 0, not -2$/],
    [
      ['restore', 'latest', '--replicas', '1.5'],
      /^error: --replicas must be a whole number ≥ 0, not 1.5$/,
    ],
    [['restore', 'latest', '--concurrency', '0'], /^error: --concurrency must be a whole number/],
    [['hydrate', '--to', 'dev', '--replicas', '-1'], /^error: --replicas must be a whole number/],
    [
      ['restore', 'latest', '--namespace-mapping', 'shop'],
      /^error: --namespace-mapping: "shop" is not old:new$/,
    ],
    [
      ['hydrate', '--to', 'dev', '--storage-class-mapping', 'a:b,a:c'],
      /^error: --storage-class-mapping: "a" is mapped twice$/,
    ],
  ])('refuses %j in one line with exit 1, before opening anything', async (args, message) => {
    expect(await run(...args)).toBe(1);
    expect(lines()).toEqual([expect.stringMatching(message)]);
    expect(stdout).toBe('');
  });

  it('answers --help on stdout with every command, exit 0', async () => {
    expect(await run('--help')).toBe(0);
    for (const command of ['annotate', 'create', 'restore', 'hydrate', 'prune', 'repo']) {
      expect(stdout).toMatch(new RegExp(`kubectl backup ${command}\\b`));
    }
    expect(stdout).toContain('--v');
    expect(stderr).toBe('');
  });

  it('says where the password comes from when there is none (exit 1)', async () => {
    delete env.KUBE_BACKUP_PASSWORD;
    expect(await run('list')).toBe(1);
    expect(lines()).toEqual([
      'error: no repository password: set KUBE_BACKUP_PASSWORD or KUBE_BACKUP_PASSWORD_FILE, or pass --password-file',
    ]);
  });

  it("exits 3 for a missing repository, with the CLI's advice on core's fact", async () => {
    const missing = join(home, 'no-repository');
    expect(await run('list', '--repository', `file://${missing}`)).toBe(3);
    expect(lines()).toEqual([
      `error: no repository at ${missing}; create one with kubectl backup repo init`,
    ]);
  });

  it('keeps a user error to one line even with --v', async () => {
    expect(await run('list', '--repository', `file://${join(home, 'none')}`, '--v=4')).toBe(3);
    expect(lines()).toHaveLength(1);
  });

  describe('an unexpected error', () => {
    // The Kubernetes client's own refusal of the kubeconfig: no UserError, nothing foreseen.
    const unexpected = ['annotate', 'deploy/web', '-n', 'shop'];
    const message = /^error: HTTP protocol is not allowed/;

    it('is one line, exit 1, without debugging', async () => {
      expect(await run(...unexpected)).toBe(1);
      expect(lines()).toEqual([expect.stringMatching(message)]);
    });

    it.each([[['--v=1']], [['-v', '2']]])('prints its stack with %j', async flags => {
      expect(await run(...unexpected, ...flags)).toBe(1);
      expect(lines()[0]).toMatch(message);
      expect(lines().slice(1).join('\n')).toMatch(/^\s+at .+/m);
    });

    it('prints its stack with KUBE_BACKUP_DEBUG=1, not with KUBE_BACKUP_DEBUG=0', async () => {
      env.KUBE_BACKUP_DEBUG = '0';
      await run(...unexpected);
      expect(lines()).toHaveLength(1);
      stderr = '';
      env.KUBE_BACKUP_DEBUG = '1';
      expect(await run(...unexpected)).toBe(1);
      expect(lines().length).toBeGreaterThan(1);
      expect(stderr).toMatch(/^\s+at .+/m);
    });
  });
});
