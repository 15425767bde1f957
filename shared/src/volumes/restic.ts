import { spawn } from 'node:child_process';
import { UserError } from '../errors';
import { LineSplitter, parseResticLine, type ResticEvent } from './restic-output';
import { resticOptionArgs, type ResticLocation } from './restic-location';

/** A restic repository as restic on this machine reaches it. */
export interface ResticRepository {
  location: ResticLocation;
  password: string;
}

export interface ResticResult {
  code: number;
  events: ResticEvent[];
  /** The last plain-text lines restic printed (its fatal errors are among them). */
  messages: string[];
}

export interface ResticRunOptions {
  onEvent?: (event: ResticEvent) => void;
  /** Working directory (a backup of `.` stores paths relative to it). */
  cwd?: string;
  /** Exit codes that are not failures (restic backup exits 3 when some files were unreadable). */
  accept?: number[];
  signal?: AbortSignal;
}

/** The environment restic needs for a repository, on top of this process's (AWS credentials…). */
export function resticEnvironment(repository: ResticRepository): NodeJS.ProcessEnv {
  return {
    ...process.env,
    RESTIC_REPOSITORY:
      repository.location.kind === 'local'
        ? repository.location.path
        : repository.location.repository,
    RESTIC_PASSWORD: repository.password,
    RESTIC_PROGRESS_FPS: '2',
  };
}

/**
 * Runs restic on this machine with `--json`, handing each event to `onEvent`. A non-zero
 * exit (other than accepted ones) raises a UserError carrying restic's own last message.
 */
export function runRestic(
  repository: ResticRepository,
  args: string[],
  options: ResticRunOptions = {},
): Promise<ResticResult> {
  const events: ResticEvent[] = [];
  const messages: string[] = [];
  const onLine = (line: string) => {
    const event = parseResticLine(line);
    if (!event) return;
    if (event.type === 'text') {
      messages.push(event.line);
      if (messages.length > 20) messages.shift();
    } else if (event.type !== 'status') {
      events.push(event);
    }
    options.onEvent?.(event);
  };
  return new Promise((resolve, reject) => {
    const child = spawn('restic', ['--json', ...resticOptionArgs(repository.location), ...args], {
      cwd: options.cwd,
      env: resticEnvironment(repository),
      stdio: ['ignore', 'pipe', 'pipe'],
      signal: options.signal,
    });
    const stdout = new LineSplitter();
    const stderr = new LineSplitter();
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => stdout.push(chunk, onLine));
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => stderr.push(chunk, onLine));
    child.on('error', (error: NodeJS.ErrnoException) => {
      if (error.code === 'ENOENT') {
        reject(
          new UserError(
            'tool-missing',
            'restic is not installed on this machine; volume data needs restic 0.14 or later on PATH',
          ),
        );
      } else reject(error);
    });
    child.on('close', code => {
      stdout.end(onLine);
      stderr.end(onLine);
      const exit = code ?? 1;
      if (exit !== 0 && !(options.accept ?? []).includes(exit)) {
        reject(
          new UserError(
            'volume-data-error',
            `restic ${args[0]} failed: ${lastMessage(messages, events)}`,
          ),
        );
        return;
      }
      resolve({ code: exit, events, messages });
    });
  });
}

function lastMessage(messages: string[], events: ResticEvent[]): string {
  const fatal = [...messages].reverse().find(line => /^fatal:/i.test(line));
  if (fatal) return fatal.replace(/^fatal:\s*/i, '');
  const error = [...events].reverse().find(event => event.type === 'error');
  if (error?.type === 'error') return error.message;
  return messages[messages.length - 1] ?? 'no message';
}
