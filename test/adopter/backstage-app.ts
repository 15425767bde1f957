// A Backstage app as an adopter has one: made by @backstage/create-app at the supported
// release, its dependencies installed. Making and installing it takes minutes, so it is kept
// under ~/.cache/kube-backup-tools and put back to its first commit before each run.
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join } from 'node:path';

/** @backstage/create-app 0.9.2 makes apps of Backstage 1.55.0, the supported release. */
export const CREATE_APP_VERSION = '0.9.2';

const TOOLS = process.env.KUBE_BACKUP_TOOLS ?? join(homedir(), '.cache/kube-backup-tools');
const CACHE = join(TOOLS, 'adopter', `create-app-${CREATE_APP_VERSION}`);
const READY = join(CACHE, 'ready');

export type Log = (message: string) => void;

const ASSET_LINE = /^\s*app:\s+[\d.]+ [kKMG]?i?B\s/;

/** The environment app commands run in: the toolchain's, made fit for Yarn outside a repo. */
export function appEnv(extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  // jest's NODE_ENV=test would change what the app's tools do.
  const { NODE_ENV: _jest, ...inherited } = process.env;
  return {
    ...inherited,
    // create-app asks `yarn --version` outside any project, where corepack would look up the
    // newest Yarn and fail to verify it; the app itself pins its Yarn (yarnPath).
    COREPACK_DEFAULT_TO_LATEST: '0',
    // In CI Yarn refuses to change a lockfile; adding a package to an app changes it.
    YARN_ENABLE_IMMUTABLE_INSTALLS: 'false',
    YARN_ENABLE_TELEMETRY: '0',
    YARN_ENABLE_PROGRESS_BARS: 'false',
    FORCE_COLOR: '0',
    ...extra,
  };
}

/**
 * Runs `command` through bash in `cwd`; rejects with its last output when it fails. Output
 * goes to `log` line by line as it comes, so a long install shows it is moving.
 */
export function sh(command: string, cwd: string, log: Log, env = appEnv()): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn('bash', ['-c', command], { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    let pending = '';
    const take = (chunk: Buffer) => {
      output += chunk;
      pending += chunk;
      const lines = pending.split('\n');
      pending = lines.pop() ?? '';
      // The app build lists every asset it wrote; the rest shows how far a step has got.
      for (const line of lines) if (line.trim() && !ASSET_LINE.test(line)) log(`  ${line}`);
    };
    child.stdout.on('data', take);
    child.stderr.on('data', take);
    child.on('error', reject);
    child.on('close', code => {
      if (code === 0) resolve(output);
      else reject(new Error(`\`${command}\` in ${cwd} exited ${code}:\n${output.slice(-6000)}`));
    });
  });
}

/**
 * create-app cannot fetch its yarn.lock seed here (it is not on a package registry), so an
 * install takes the newest versions the template's ranges allow: Backstage's plugins of the
 * 1.55 line, whose backend system needs backend-defaults 0.19 where the template still
 * names 0.18. The app gets the range its own plugins need, as an adopter whose app installed
 * this way must do.
 */
const TEMPLATE_FIXES: Record<string, Record<string, string>> = {
  'packages/backend/package.json': { '@backstage/backend-defaults': '^0.19.0' },
};

async function applyTemplateFixes(dir: string): Promise<void> {
  for (const [file, ranges] of Object.entries(TEMPLATE_FIXES)) {
    const path = join(dir, file);
    const manifest = JSON.parse(await readFile(path, 'utf8'));
    Object.assign(manifest.dependencies, ranges);
    await writeFile(path, `${JSON.stringify(manifest, null, 2)}\n`);
  }
}

const git = (args: string, dir: string, log: Log) =>
  sh(`git -c user.name=adopter -c user.email=adopter@localhost ${args}`, dir, log);

/**
 * The app, as create-app made it and `yarn install` installed it, with nothing of ours.
 * Returns its directory and the Backstage release it is on (its backstage.json).
 */
export async function freshApp(log: Log): Promise<{ dir: string; release: string }> {
  const dir = join(CACHE, 'app');
  if (existsSync(READY) && (await readFile(READY, 'utf8')) === JSON.stringify(TEMPLATE_FIXES)) {
    log(`re-using the app in ${dir}, put back to its first commit`);
    await git('reset -q --hard', dir, log);
    await git('clean -q -fd', dir, log);
  } else {
    await rm(CACHE, { recursive: true, force: true });
    await mkdir(CACHE, { recursive: true });
    log(`creating an app with @backstage/create-app@${CREATE_APP_VERSION} in ${dir}`);
    await sh(
      `npm exec --yes --package=@backstage/create-app@${CREATE_APP_VERSION} -- backstage-create-app --path app --skip-install`,
      CACHE,
      log,
      appEnv({ BACKSTAGE_APP_NAME: 'adopter' }),
    );
    await applyTemplateFixes(dir);
    log('installing the app (yarn install)');
    await sh('yarn install', dir, log);
    if (!existsSync(join(dir, '.git'))) await git('init -q', dir, log);
    await git('add -A', dir, log);
    await git('commit -q --allow-empty -m "the app as installed"', dir, log);
    await writeFile(READY, JSON.stringify(TEMPLATE_FIXES));
  }
  const { version } = JSON.parse(await readFile(join(dir, 'backstage.json'), 'utf8'));
  return { dir, release: version };
}
