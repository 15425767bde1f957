import type {
  AuditorService,
  AuditorServiceCreateEventOptions,
} from '@backstage/backend-plugin-api';
import type { JsonObject } from '@backstage/types';

/** What the audit log records of a result: more meta, and whether it counts as a failure. */
export interface AuditedOutcome<T> {
  /** Meta added when the work succeeds (the job or request it made…). */
  meta?(result: T): JsonObject;
  /** A result that is a failure without throwing (a job whose objects failed), and its meta. */
  failure?(result: T): { error: Error; meta?: JsonObject } | undefined;
}

/**
 * Runs one hydration, restore or approval step inside an audit event: the event is created
 * first (who asked, what about), then the work's result or error is recorded as its outcome,
 * and an error is thrown on after it is recorded, so a refusal is in the audit log with its
 * reason. Every route and job that acts goes through this one function.
 */
export async function audited<T>(
  auditor: AuditorService,
  event: AuditorServiceCreateEventOptions,
  work: () => Promise<T>,
  outcome: AuditedOutcome<T> = {},
): Promise<T> {
  const audit = await auditor.createEvent(event);
  let result: T;
  try {
    result = await work();
  } catch (error) {
    await audit.fail({ error: error as Error });
    throw error;
  }
  const failure = outcome.failure?.(result);
  if (failure) await audit.fail(failure);
  else await audit.success({ meta: outcome.meta?.(result) });
  return result;
}
