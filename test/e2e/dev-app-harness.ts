// Runs the plugins' `yarn start` dev apps as a developer would, on free ports, and stops
// them with everything they started.
import { spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { ROOT } from './harness';

export interface DevProcess {
  /** Everything it printed so far. */
  output(): string;
  /** Resolves with the first match of `pattern` in the output; rejects if it exits first. */
  waitFor(pattern: RegExp, timeoutMs: number): Promise<RegExpMatchArray>;
  stop(): Promise<void>;
}

export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>(done => server.listen(0, '127.0.0.1', done));
  const { port } = server.address() as { port: number };
  await new Promise<void>(done => server.close(() => done()));
  return port;
}

/** The app-config overrides that move the dev apps to these ports. */
export function devAppConfigEnv(ports: { app: number; backend: number }): NodeJS.ProcessEnv {
  return {
    APP_CONFIG_app_baseUrl: `http://localhost:${ports.app}`,
    APP_CONFIG_backend_baseUrl: `http://localhost:${ports.backend}`,
    APP_CONFIG_backend_listen_port: String(ports.backend),
    APP_CONFIG_backend_cors_origin: `http://localhost:${ports.app}`,
    BROWSER: 'none',
  };
}

/** `yarn start` in `workspace` (a path under the repository root). */
export function yarnStart(workspace: string, env: NodeJS.ProcessEnv): DevProcess {
  // As from a developer's shell: jest's NODE_ENV=test would turn the guest sign-in off.
  const { NODE_ENV: _jest, ...inherited } = process.env;
  const child: ChildProcess = spawn('yarn', ['start'], {
    cwd: join(ROOT, workspace),
    env: { ...inherited, ...env, FORCE_COLOR: '0', NO_COLOR: '1' },
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let text = '';
  let exited: string | undefined;
  const listeners = new Set<() => void>();
  const changed = () => listeners.forEach(listener => listener());
  for (const stream of [child.stdout!, child.stderr!]) {
    stream.setEncoding('utf8');
    stream.on('data', chunk => {
      // Colour codes split the words the callers wait for; some tools colour regardless.
      text += String(chunk).replace(/\x1b\[[0-9;]*m/g, '');
      changed();
    });
  }
  child.on('error', error => {
    exited = `could not run yarn start in ${workspace}: ${error.message}`;
    changed();
  });
  child.on('exit', (code, signal) => {
    exited = `yarn start in ${workspace} exited (${signal ?? code})`;
    changed();
  });
  const stopped = new Promise<void>(done => child.on('close', () => done()));

  return {
    output: () => text,
    waitFor(pattern, timeoutMs) {
      return new Promise((resolve, reject) => {
        const check = () => {
          const match = text.match(pattern);
          if (match) finish(() => resolve(match));
          else if (exited) finish(() => reject(new Error(`${exited}:\n${text.slice(-4000)}`)));
        };
        const timer = setTimeout(
          () =>
            finish(() =>
              reject(
                new Error(
                  `no ${pattern} from ${workspace} in ${timeoutMs} ms:\n${text.slice(-4000)}`,
                ),
              ),
            ),
          timeoutMs,
        );
        const finish = (settle: () => void) => {
          clearTimeout(timer);
          listeners.delete(check);
          settle();
        };
        listeners.add(check);
        check();
      });
    },
    async stop() {
      const group = child.pid;
      if (exited || group === undefined) return;
      // The whole group: yarn, backstage-cli and the app or bundler it started.
      const signalGroup = (signal: NodeJS.Signals) => {
        try {
          process.kill(-group, signal);
        } catch {
          // Already gone.
        }
      };
      signalGroup('SIGTERM');
      const killer = setTimeout(() => signalGroup('SIGKILL'), 10_000);
      await stopped;
      clearTimeout(killer);
    },
  };
}
