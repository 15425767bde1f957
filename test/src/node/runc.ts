/**
 * The container runtime: runc driven through its command line, with one state directory
 * (`runc --root`) per node so clusters never see each other's containers.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';

export interface RuncResult {
  code: number;
  stdout: string;
  stderr: string;
}

export class Runc {
  constructor(
    /** runc's state directory for this node. */
    readonly root: string,
    private readonly binary = 'runc',
  ) {}

  /**
   * `runc run` in the foreground: it stays the container's parent, so its exit status is
   * the container's (128+n when a signal n killed it), and it removes the container after.
   */
  run(id: string, bundle: string, pidFile: string, stdin: boolean): ChildProcess {
    return spawn(
      this.binary,
      ['--root', this.root, 'run', '--bundle', bundle, '--pid-file', pidFile, id],
      { stdio: [stdin ? 'pipe' : 'ignore', 'pipe', 'pipe'] },
    );
  }

  /** A process in a running container; `logFile` receives runc's own errors. */
  exec(
    id: string,
    command: string[],
    opts: { stdin: boolean; logFile: string; pidFile: string; env?: string[]; cwd?: string },
  ): ChildProcess {
    const args = ['--root', this.root, '--log', opts.logFile, 'exec', '--pid-file', opts.pidFile];
    for (const e of opts.env ?? []) args.push('--env', e);
    if (opts.cwd) args.push('--cwd', opts.cwd);
    args.push(id, ...command);
    return spawn(this.binary, args, { stdio: [opts.stdin ? 'pipe' : 'ignore', 'pipe', 'pipe'] });
  }

  kill(id: string, signal: 'TERM' | 'KILL'): Promise<RuncResult> {
    return this.command(['kill', id, signal]);
  }

  pause(id: string): Promise<RuncResult> {
    return this.command(['pause', id]);
  }

  resume(id: string): Promise<RuncResult> {
    return this.command(['resume', id]);
  }

  /** Ids of the containers runc knows in this state directory. */
  async list(): Promise<string[]> {
    if (!existsSync(this.root)) return [];
    const result = await this.command(['list', '-q']);
    return result.stdout.split('\n').filter(Boolean);
  }

  command(args: string[]): Promise<RuncResult> {
    return new Promise(resolve => {
      const child = spawn(this.binary, ['--root', this.root, ...args], {
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
      child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
      child.on('error', error => resolve({ code: 127, stdout, stderr: error.message }));
      child.on('close', code => resolve({ code: code ?? 1, stdout, stderr }));
    });
  }
}

/** Runs a host command (mount, umount, cp) and resolves with its result. */
export function host(command: string, args: string[]): Promise<RuncResult> {
  return new Promise(resolve => {
    const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', error => resolve({ code: 127, stdout, stderr: error.message }));
    child.on('close', code => resolve({ code: code ?? 1, stdout, stderr }));
  });
}

/** Like host(), but a non-zero exit is an error naming the command and its output. */
export async function hostOrThrow(command: string, args: string[]): Promise<string> {
  const result = await host(command, args);
  if (result.code !== 0) {
    throw new Error(
      `${command} ${args.join(' ')} failed (${result.code}): ${result.stderr.trim() || result.stdout.trim()}`,
    );
  }
  return result.stdout;
}
