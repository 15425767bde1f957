import { Writable } from 'node:stream';
import type { ClusterConnection } from '../cluster/connect';
import type { HookRecord, KubeObject } from '../snapshot/types';
import type { HookSpec } from './hook-annotations';

/** The Status the API server sends on exec's error channel when the command ends. */
interface ExecStatus {
  status?: string;
  message?: string;
  details?: { causes?: Array<{ reason?: string; message?: string }> };
}

/** The end of what a hook printed that is kept in its record. */
const KEPT_OUTPUT = 500;

/**
 * Runs one hook in its pod through `pods/exec` and records how it went. It never throws:
 * a hook that cannot even start (its container is missing, exec is forbidden) is a failed
 * hook, and one that outlives its timeout is recorded as timed out (the command may still
 * run in the container, as with `kubectl exec`).
 */
export async function runHook(
  connection: ClusterConnection,
  pod: KubeObject,
  hook: HookSpec,
): Promise<HookRecord> {
  const containers = ((pod.spec as { containers?: Array<{ name: string }> }).containers ?? []).map(
    container => container.name,
  );
  const container = hook.container ?? containers[0] ?? '';
  const record: HookRecord = {
    phase: hook.phase,
    source: hook.source,
    pod: pod.metadata.name ?? '',
    container,
    command: hook.command,
    onError: hook.onError,
    outcome: 'failed',
  };
  if (!containers.includes(container)) {
    return { ...record, message: `pod ${record.pod} has no container "${container}"` };
  }
  let output = '';
  const sink = new Writable({
    write(chunk: Buffer, _encoding, callback) {
      output = (output + chunk.toString('utf8')).slice(-KEPT_OUTPUT);
      callback();
    },
  });
  const { Exec } = await import('@kubernetes/client-node');
  return new Promise<HookRecord>(resolve => {
    let status: ExecStatus | undefined;
    let settled = false;
    const settle = (result: HookRecord) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      resolve(result);
    };
    const timer = setTimeout(() => {
      socket?.close();
      settle({
        ...record,
        outcome: 'timed-out',
        message: `no answer within ${hook.timeoutMs / 1000}s${tail(output)}`,
      });
    }, hook.timeoutMs);
    let socket: { close(): void; on(event: string, listener: () => void): void } | undefined;
    new Exec(connection.kubeConfig)
      .exec(
        pod.metadata.namespace ?? '',
        record.pod,
        container,
        hook.command,
        sink,
        sink,
        null,
        false,
        reported => (status = reported as ExecStatus),
      )
      .then(
        ws => {
          socket = ws as unknown as typeof socket;
          ws.on('close', () => settle(outcomeOf(record, status, output)));
        },
        (error: Error) => settle({ ...record, message: `exec failed: ${firstLine(error)}` }),
      );
  });
}

function outcomeOf(record: HookRecord, status: ExecStatus | undefined, output: string): HookRecord {
  if (status?.status === 'Success')
    return { ...record, outcome: 'succeeded', exitCode: 0, ...message(output) };
  const code = status?.details?.causes?.find(cause => cause.reason === 'ExitCode')?.message;
  const exitCode = code !== undefined && /^\d+$/.test(code) ? Number(code) : undefined;
  const reason = status?.message ?? 'the command ended without reporting an exit status';
  return { ...record, outcome: 'failed', exitCode, message: `${reason}${tail(output)}` };
}

function message(output: string): { message?: string } {
  const text = output.trim();
  return text ? { message: text } : {};
}

function tail(output: string): string {
  const text = output.trim();
  return text ? `; output: ${text}` : '';
}

function firstLine(error: Error): string {
  return (error.message || String(error)).split('\n')[0];
}
