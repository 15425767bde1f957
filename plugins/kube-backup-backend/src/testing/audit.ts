import { mockServices } from '@backstage/backend-test-utils';

export interface RecordedAuditEvent {
  eventId: string;
  outcome: 'success' | 'failure';
  meta: Record<string, unknown>;
}

/** An auditor that keeps every finished event, with the meta of its start and its end. */
export function recordingAuditor() {
  const events: RecordedAuditEvent[] = [];
  const auditor = mockServices.auditor.mock({
    createEvent: async options => ({
      success: async result => {
        events.push({
          eventId: options.eventId,
          outcome: 'success',
          meta: { ...options.meta, ...result?.meta },
        });
      },
      fail: async ({ error, meta }) => {
        events.push({
          eventId: options.eventId,
          outcome: 'failure',
          meta: { ...options.meta, ...meta, error: error.message },
        });
      },
    }),
  });
  return { events, factory: auditor.factory };
}
