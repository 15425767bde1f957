import {
  coreServices,
  createServiceFactory,
  type AuditorService,
} from '@backstage/backend-plugin-api';

export interface RecordedAuditEvent {
  eventId: string;
  outcome: 'success' | 'failure';
  meta: Record<string, unknown>;
}

/**
 * An auditor that keeps every finished event, with the meta of its start and its end, and
 * lets a test wait for one: a job's run event is recorded once its end is in the database,
 * so waiting for it waits for the job, not for a time.
 */
export function recordingAuditor() {
  const events: RecordedAuditEvent[] = [];
  const waiting: Array<{
    matches(event: RecordedAuditEvent): boolean;
    resolve(event: RecordedAuditEvent): void;
  }> = [];
  const record = (event: RecordedAuditEvent) => {
    events.push(event);
    for (const waiter of waiting.filter(candidate => candidate.matches(event))) {
      waiting.splice(waiting.indexOf(waiter), 1);
      waiter.resolve(event);
    }
  };
  const auditor: AuditorService = {
    createEvent: async options => ({
      success: async result => {
        record({
          eventId: options.eventId,
          outcome: 'success',
          meta: { ...options.meta, ...result?.meta },
        });
      },
      fail: async ({ error, meta }) => {
        record({
          eventId: options.eventId,
          outcome: 'failure',
          meta: { ...options.meta, ...meta, error: error.message },
        });
      },
    }),
  };
  return {
    events,
    /** The auditor service itself, for code built without a backend. */
    auditor,
    factory: createServiceFactory({
      service: coreServices.auditor,
      deps: {},
      factory: () => auditor,
    }),
    /** The first event, recorded already or later, that matches. */
    next(matches: (event: RecordedAuditEvent) => boolean): Promise<RecordedAuditEvent> {
      const found = events.find(matches);
      if (found) return Promise.resolve(found);
      return new Promise(resolve => waiting.push({ matches, resolve }));
    },
  };
}

export type RecordingAuditor = ReturnType<typeof recordingAuditor>;
