import { spawn } from 'node:child_process';
import { Writable } from 'node:stream';
import type { ClusterConnection } from '../cluster/connect';
import { UserError } from '../errors';
import { parseRepositoryLocation, type RepositoryLocation } from '../repository/storage/location';
import { MoverRunner } from '../volumes/mover';
import { moverSettings, type VolumeDataSettings } from '../volumes/mover-access';
import { MOVER_CONTAINER } from '../volumes/mover-pod';
import { VolumeOperation } from '../volumes/operation';
import { resticEnvironment } from '../volumes/restic';
import { resticLocationOf, resticOptionArgs } from '../volumes/restic-location';
import type { VolumeDataRepository } from '../volumes/volume-repository';

/**
 * Runs read-only restic commands against the volume repository, streaming what restic
 * prints: restic on this machine when it has it (the object repository is open here, so
 * its volume folder or bucket is reachable with the same credentials), else restic in a
 * mover pod in the cluster, through `pods/exec`.
 */
export interface ResticReader {
  readonly via: 'local' | 'pod';
  /** Where restic runs, for a user: `restic on this machine`, `mover pod ns/name`. */
  readonly description: string;
  /** Runs `restic <args>`, writing its standard output into `out` (left open). */
  run(args: string[], out: Writable): Promise<void>;
  /** Stops what the reader started (a mover pod, its Secret and Lease). */
  close(): Promise<void>;
}

export type ReaderChoice = 'auto' | 'local' | 'pod';

export interface ReaderOptions {
  repository: VolumeDataRepository;
  settings: VolumeDataSettings;
  /** Default auto: local when restic is on PATH. */
  via?: ReaderChoice;
  /** For a pod: the cluster, and the namespace the mover runs in. */
  cluster?: () => Promise<{ connection: ClusterConnection; namespace: string }>;
}

export async function openResticReader(options: ReaderOptions): Promise<ResticReader> {
  const via = options.via ?? 'auto';
  const location =
    typeof options.settings.location === 'string'
      ? parseRepositoryLocation(options.settings.location)
      : options.settings.location;
  const password = options.repository.volumeDataPassword();
  if (via === 'local' || (via === 'auto' && (await resticOnPath()))) {
    return localReader(location, password);
  }
  if (!options.cluster) {
    throw new UserError(
      'tool-missing',
      'restic is not on this machine and no cluster was given to run it in',
    );
  }
  const { connection, namespace } = await options.cluster();
  return podReader(connection, namespace, await moverSettings(options.settings, password));
}

function resticOnPath(): Promise<boolean> {
  return new Promise(resolve => {
    const child = spawn('restic', ['version'], { stdio: 'ignore' });
    child.on('error', () => resolve(false));
    child.on('close', code => resolve(code === 0));
  });
}

function localReader(location: RepositoryLocation, password: string): ResticReader {
  const repository = { location: resticLocationOf(location), password };
  return {
    via: 'local',
    description: 'restic on this machine',
    run: (args, out) =>
      new Promise((resolve, reject) => {
        const child = spawn('restic', [...resticOptionArgs(repository.location), ...args], {
          env: resticEnvironment(repository),
          stdio: ['ignore', 'pipe', 'pipe'],
        });
        const errors = new LastLines();
        child.stdout.pipe(out, { end: false });
        child.stderr.on('data', (chunk: Buffer) => errors.push(chunk));
        child.on('error', (error: NodeJS.ErrnoException) =>
          reject(
            error.code === 'ENOENT'
              ? new UserError('tool-missing', 'restic is not installed on this machine')
              : error,
          ),
        );
        child.on('close', code => {
          if (code === 0) resolve();
          else reject(resticFailed(args, errors.last()));
        });
      }),
    close: async () => undefined,
  };
}

async function podReader(
  connection: ClusterConnection,
  namespace: string,
  settings: Awaited<ReturnType<typeof moverSettings>>,
): Promise<ResticReader> {
  const operation = new VolumeOperation(connection.client);
  const runner = new MoverRunner(connection.client, operation, settings);
  const close = async () => {
    await runner.finish();
    await operation.finish();
  };
  let mover: Awaited<ReturnType<MoverRunner['startIdle']>>;
  try {
    mover = await runner.startIdle(namespace);
  } catch (error) {
    await close();
    throw error;
  }
  const { Exec } = await import('@kubernetes/client-node');
  return {
    via: 'pod',
    description: `mover pod ${namespace}/${mover.pod}`,
    run: (args, out) =>
      new Promise((resolve, reject) => {
        const errors = new LastLines();
        const stderr = new Writable({
          write(chunk: Buffer, _encoding, callback) {
            errors.push(chunk);
            callback();
          },
        });
        let status: { status?: string; message?: string } | undefined;
        const stdout = new Writable({
          write(chunk: Buffer, _encoding, callback) {
            if (out.write(chunk)) callback();
            else out.once('drain', () => callback());
          },
        });
        new Exec(connection.kubeConfig)
          .exec(
            namespace,
            mover.pod,
            MOVER_CONTAINER,
            // The mover's environment holds the repository, password and restic options.
            ['sh', '-c', 'exec restic $KB_RESTIC_OPTIONS "$@"', 'restic', ...args],
            stdout,
            stderr,
            null,
            false,
            reported => (status = reported as typeof status),
          )
          .then(
            socket =>
              socket.on('close', () => {
                if (status?.status === 'Success') resolve();
                else reject(resticFailed(args, errors.last() || status?.message));
              }),
            (error: Error) =>
              reject(
                new UserError(
                  'volume-repository-unreachable',
                  `cannot run restic in mover ${mover.pod}: ${error.message.split('\n')[0]}`,
                ),
              ),
          );
      }),
    close: async () => {
      await mover.stop();
      await close();
    },
  };
}

function resticFailed(args: string[], message: string | undefined): UserError {
  const said = (message ?? '').replace(/^fatal:\s*/i, '').trim();
  return new UserError('volume-data-error', `restic ${args[0]} failed: ${said || 'no message'}`);
}

/** The end of what a process printed on stderr, for its error message. */
class LastLines {
  private text = '';

  push(chunk: Buffer): void {
    this.text = (this.text + chunk.toString('utf8')).slice(-4000);
  }

  last(): string {
    const lines = this.text.split('\n').filter(line => line.trim());
    return lines.find(line => /^fatal:/i.test(line)) ?? lines[lines.length - 1] ?? '';
  }
}
