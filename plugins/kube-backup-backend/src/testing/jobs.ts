import type {
  HydrationJob,
  RestoreRequest,
} from '@kube-backup/backstage-plugin-kube-backup-common';
import type { TestBackend } from './backend';

/**
 * A hydration as it ended. It waits for the job's run to be audited, which the job runner
 * does once the job's end is in the database: a condition, never a time.
 */
export async function hydrationEnded(
  backend: TestBackend,
  id: string,
  user?: string,
): Promise<HydrationJob> {
  await backend.audit.next(event => event.eventId === 'hydration-run' && event.meta.jobId === id);
  return (await backend.call<HydrationJob>(`/hydrations/${id}`, { user })).body;
}

/** An approved restore request as its restore ended (see hydrationEnded). */
export async function restoreEnded(
  backend: TestBackend,
  id: string,
  user?: string,
): Promise<RestoreRequest> {
  await backend.audit.next(event => event.eventId === 'restore-run' && event.meta.requestId === id);
  return (await backend.call<RestoreRequest>(`/restore-requests/${id}`, { user })).body;
}
