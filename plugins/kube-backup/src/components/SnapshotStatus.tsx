import {
  StatusAborted,
  StatusError,
  StatusOK,
  StatusPending,
  StatusRunning,
  StatusWarning,
} from '@backstage/core-components';
import type { SnapshotSummary } from '@kube-backup/backstage-plugin-kube-backup-common';
import { plural } from './format';

export function SnapshotStatus(props: { snapshot: SnapshotSummary }) {
  const { status, errorCount } = props.snapshot;
  if (status === 'complete') return <StatusOK>complete</StatusOK>;
  if (status === 'partial') {
    return <StatusWarning>partial ({plural(errorCount, 'error')})</StatusWarning>;
  }
  return <StatusAborted>unknown</StatusAborted>;
}

/** A job's or request's status with its colour; anything unexpected is shown as unknown. */
export function JobStatusLabel(props: { status: string }) {
  // In narrow table cells the status word would otherwise break mid-word.
  return <span style={{ whiteSpace: 'nowrap' }}>{statusLabel(props.status)}</span>;
}

function statusLabel(status: string) {
  switch (status) {
    case 'succeeded':
      return <StatusOK>succeeded</StatusOK>;
    case 'nothing-restored':
      return <StatusWarning>nothing restored</StatusWarning>;
    case 'failed':
      return <StatusError>failed</StatusError>;
    case 'rejected':
      return <StatusAborted>rejected</StatusAborted>;
    case 'running':
      return <StatusRunning>running</StatusRunning>;
    case 'approved':
      return <StatusRunning>approved</StatusRunning>;
    case 'pending':
      return <StatusPending>pending</StatusPending>;
    default:
      return <StatusAborted>unknown</StatusAborted>;
  }
}
