import { UserError } from '../errors';
import { ANNOTATION_PREFIX } from '../capture/annotations';
import { parseDuration } from './durations';

export type HookPhase = 'pre' | 'post';

/** A command to run in a pod's container before or after its volumes are captured. */
export interface HookSpec {
  phase: HookPhase;
  /** Which annotations declared it. */
  source: 'kube-backup' | 'velero';
  command: string[];
  /** Absent: the pod's first container. */
  container?: string;
  timeoutMs: number;
  /** fail: the volumes of the pod fail when the hook does (the post-hook still runs). */
  onError: 'fail' | 'continue';
}

export const DEFAULT_HOOK_TIMEOUT_MS = 30_000;

/** `kube-backup.io/pre-backup` and its `-container`, `-timeout`, `-on-error` siblings. */
export function kubeBackupHookAnnotation(phase: HookPhase, field?: string): string {
  return `${ANNOTATION_PREFIX}${phase}-backup${field ? `-${field}` : ''}`;
}

/** Velero's `pre.hook.backup.velero.io/command` and siblings. */
export function veleroHookAnnotation(phase: HookPhase, field: string): string {
  return `${phase}.hook.backup.velero.io/${field}`;
}

/**
 * The backup hooks annotations declare, at most one per phase. kube-backup's own
 * annotations win over Velero's for the same phase, so a team moving from Velero can
 * keep its annotations and override them one at a time. A command is a JSON array of
 * arguments; a plain string is run by `/bin/sh -c` for kube-backup's annotation and, as
 * Velero does, as a single program for Velero's. Raises a UserError naming the annotation
 * for a value it cannot use.
 */
export function parseBackupHooks(annotations: Record<string, string> | undefined): HookSpec[] {
  const hooks: HookSpec[] = [];
  for (const phase of ['pre', 'post'] as const) {
    const own = annotations?.[kubeBackupHookAnnotation(phase)];
    const velero = annotations?.[veleroHookAnnotation(phase, 'command')];
    if (own !== undefined) {
      const field = (name: string) => annotations?.[kubeBackupHookAnnotation(phase, name)];
      hooks.push({
        phase,
        source: 'kube-backup',
        command: parseCommand(own, kubeBackupHookAnnotation(phase), true),
        ...common(field, name => kubeBackupHookAnnotation(phase, name)),
      });
    } else if (velero !== undefined) {
      const field = (name: string) => annotations?.[veleroHookAnnotation(phase, name)];
      hooks.push({
        phase,
        source: 'velero',
        command: parseCommand(velero, veleroHookAnnotation(phase, 'command'), false),
        ...common(field, name => veleroHookAnnotation(phase, name)),
      });
    }
  }
  return hooks;
}

function common(
  field: (name: string) => string | undefined,
  annotation: (name: string) => string,
): Pick<HookSpec, 'container' | 'timeoutMs' | 'onError'> {
  const container = field('container')?.trim() || undefined;
  const timeout = field('timeout');
  const onError = field('on-error')?.trim().toLowerCase() || 'fail';
  if (onError !== 'fail' && onError !== 'continue') {
    throw new UserError(
      'invalid-argument',
      `${annotation('on-error')} is "${field('on-error')}"; use fail or continue`,
    );
  }
  return {
    container,
    timeoutMs: timeout ? parseDuration(timeout, annotation('timeout')) : DEFAULT_HOOK_TIMEOUT_MS,
    onError,
  };
}

function parseCommand(value: string, annotation: string, shellForText: boolean): string[] {
  const text = value.trim();
  if (text.startsWith('[')) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch {
      parsed = undefined;
    }
    if (
      !Array.isArray(parsed) ||
      parsed.length === 0 ||
      parsed.some(arg => typeof arg !== 'string')
    ) {
      throw new UserError(
        'invalid-argument',
        `${annotation} must be a JSON array of strings, such as ["/bin/sh", "-c", "sync"]`,
      );
    }
    return parsed as string[];
  }
  if (!text) throw new UserError('invalid-argument', `${annotation} is empty`);
  return shellForText ? ['/bin/sh', '-c', text] : [text];
}
