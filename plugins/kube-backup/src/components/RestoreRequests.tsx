import { InfoCard, Progress } from '@backstage/core-components';
import { useApi } from '@backstage/core-plugin-api';
import type { RestoreRequest } from '@kube-backup/backstage-plugin-kube-backup-common';
import Box from '@material-ui/core/Box';
import Button from '@material-ui/core/Button';
import Dialog from '@material-ui/core/Dialog';
import DialogActions from '@material-ui/core/DialogActions';
import DialogContent from '@material-ui/core/DialogContent';
import DialogTitle from '@material-ui/core/DialogTitle';
import MuiTable from '@material-ui/core/Table';
import TableBody from '@material-ui/core/TableBody';
import TableCell from '@material-ui/core/TableCell';
import TableHead from '@material-ui/core/TableHead';
import TableRow from '@material-ui/core/TableRow';
import TextField from '@material-ui/core/TextField';
import Typography from '@material-ui/core/Typography';
import { Fragment, useState } from 'react';
import { kubeBackupApiRef } from '../api/ref';
import { KubeBackupErrorPanel } from './ErrorPanel';
import { EXISTING_FILE_TEXT, shortId } from './format';
import { JobProgress, LogRow, LogToggle } from './JobProgress';
import { JobResult } from './JobResult';
import { PathOutcomes } from './PathOutcomes';
import { JobStatusLabel } from './SnapshotStatus';
import { Time } from './Time';
import { usePolledLoad } from './useAsync';

function isUnderway(request: RestoreRequest): boolean {
  return request.status === 'approved' || request.status === 'running';
}

function scopeText(request: RestoreRequest): string {
  const { files } = request;
  if (files) {
    return [
      `files ${files.paths.join(', ')} of claim ${files.namespace}/${files.claim}`,
      `into claim ${files.targetClaim ?? files.claim}`,
      EXISTING_FILE_TEXT[files.existing ?? 'skip'],
    ].join('; ');
  }
  const parts = [
    request.scope.namespaces?.length
      ? `namespaces ${request.scope.namespaces.join(', ')}`
      : 'all its namespaces',
    request.scope.objects?.length ? request.scope.objects.join(', ') : 'everything restorable',
    request.scope.includeSecrets === false ? 'without Secrets' : 'with Secrets',
    request.scope.withData === false ? 'without volume data' : 'with volume data',
    request.scope.existing === 'update'
      ? 'applying the snapshot over objects that exist'
      : 'leaving objects that exist as they are',
  ];
  return parts.join('; ');
}

function DecisionDialog(props: {
  request: RestoreRequest;
  decision: 'approve' | 'reject';
  entityRef: string;
  owners: string[];
  onClose(): void;
  onDecided(request: RestoreRequest): void;
}) {
  const api = useApi(kubeBackupApiRef);
  const [comment, setComment] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>();
  const verb = props.decision === 'approve' ? 'Approve' : 'Reject';
  async function decide() {
    setBusy(true);
    setError(undefined);
    try {
      const decided = await api.decideRestoreRequest(props.request.id, {
        decision: props.decision,
        comment: comment.trim() || undefined,
      });
      props.onDecided(decided);
    } catch (caught) {
      setError(caught);
    } finally {
      setBusy(false);
    }
  }
  return (
    <Dialog open onClose={props.onClose} aria-labelledby="kube-backup-decision-title" fullWidth>
      <DialogTitle id="kube-backup-decision-title">
        {verb} the restore of snapshot {shortId(props.request.snapshotId)}?
      </DialogTitle>
      <DialogContent>
        <Typography variant="body2" gutterBottom>
          Requested by {props.request.requestedBy}: “{props.request.reason}”. Scope:{' '}
          {scopeText(props.request)}; into cluster {props.request.cluster}.
        </Typography>
        {props.decision === 'approve' && (
          <Typography variant="body2" gutterBottom>
            Approving starts the restore right away
            {props.request.scope.existing === 'update'
              ? ', and applies the snapshot’s version over objects that exist.'
              : ''}
            {props.request.files?.existing === 'overwrite'
              ? ', and writes over live files that are in the way.'
              : ''}
            {props.request.scope.existing !== 'update' &&
            props.request.files?.existing !== 'overwrite'
              ? '.'
              : ''}
          </Typography>
        )}
        <TextField
          id="kube-backup-decision-comment"
          label="Comment"
          fullWidth
          multiline
          value={comment}
          onChange={event => setComment(event.target.value)}
        />
        {error !== undefined && (
          <KubeBackupErrorPanel
            error={error}
            action={{ kind: 'decide', entityRef: props.entityRef, owners: props.owners }}
          />
        )}
      </DialogContent>
      <DialogActions>
        <Button onClick={props.onClose} disabled={busy}>
          Cancel
        </Button>
        <Button
          color={props.decision === 'approve' ? 'primary' : 'secondary'}
          variant="contained"
          onClick={decide}
          disabled={busy}
        >
          {busy ? 'Sending…' : verb}
        </Button>
      </DialogActions>
    </Dialog>
  );
}

/**
 * Restore requests of an entity: owners decide on the pending ones; everyone sees the
 * history and outcomes.
 */
export function RestoreRequests(props: {
  entityRef: string;
  owners: string[];
  isOwner?: boolean;
  /** Bumped by the page when a new request was made. */
  refreshKey?: number;
  pollIntervalMs?: number;
}) {
  const api = useApi(kubeBackupApiRef);
  const state = usePolledLoad(
    () => api.listRestoreRequests(props.entityRef),
    [api, props.entityRef, props.refreshKey],
    { isActive: requests => requests.some(isUnderway), intervalMs: props.pollIntervalMs ?? 3000 },
  );
  const [deciding, setDeciding] = useState<{
    request: RestoreRequest;
    decision: 'approve' | 'reject';
  }>();
  const [openLog, setOpenLog] = useState<string>();
  const items = state.value ?? [];

  const pending = items.filter(item => item.status === 'pending');
  const history = items.filter(item => item.status !== 'pending');
  const owners = props.owners.join(', ') || 'an owner';

  return (
    <InfoCard title="Restore requests">
      {state.loading && !state.value && <Progress />}
      {state.error !== undefined && (
        <KubeBackupErrorPanel
          error={state.error}
          action={{ kind: 'load', what: 'the restore requests' }}
        />
      )}
      {state.value && (
        <>
          <Typography variant="h6" component="h3" id="kube-backup-pending-requests">
            Pending ({pending.length})
          </Typography>
          {pending.length === 0 ? (
            <Typography variant="body2">No restore request waits for a decision.</Typography>
          ) : (
            <MuiTable size="small" aria-labelledby="kube-backup-pending-requests">
              <TableHead>
                <TableRow>
                  <TableCell>Requested</TableCell>
                  <TableCell>By</TableCell>
                  <TableCell>Snapshot</TableCell>
                  <TableCell>Scope</TableCell>
                  <TableCell>Reason</TableCell>
                  <TableCell>Decision</TableCell>
                </TableRow>
              </TableHead>
              <TableBody>
                {pending.map(request => (
                  <TableRow key={request.id}>
                    <TableCell>
                      <Time value={request.requestedAt} />
                    </TableCell>
                    <TableCell>{request.requestedBy}</TableCell>
                    <TableCell>
                      <code style={{ whiteSpace: 'nowrap' }}>{shortId(request.snapshotId)}</code>
                    </TableCell>
                    <TableCell>{scopeText(request)}</TableCell>
                    <TableCell>{request.reason}</TableCell>
                    <TableCell>
                      {props.isOwner ? (
                        <Box display="flex" style={{ gap: 4 }}>
                          <Button
                            size="small"
                            color="primary"
                            variant="outlined"
                            aria-label={`Approve restore request from ${request.requestedBy} (snapshot ${shortId(request.snapshotId)})`}
                            onClick={() => setDeciding({ request, decision: 'approve' })}
                          >
                            Approve
                          </Button>
                          <Button
                            size="small"
                            aria-label={`Reject restore request from ${request.requestedBy} (snapshot ${shortId(request.snapshotId)})`}
                            onClick={() => setDeciding({ request, decision: 'reject' })}
                          >
                            Reject
                          </Button>
                        </Box>
                      ) : (
                        <Typography variant="caption">Waiting for {owners}</Typography>
                      )}
                    </TableCell>
                  </TableRow>
                ))}
              </TableBody>
            </MuiTable>
          )}
          <Box mt={2}>
            <Typography variant="h6" component="h3" id="kube-backup-request-history">
              History ({history.length})
            </Typography>
            {history.length === 0 ? (
              <Typography variant="body2">No decided restore request yet.</Typography>
            ) : (
              <MuiTable size="small" aria-labelledby="kube-backup-request-history">
                <TableHead>
                  <TableRow>
                    <TableCell>Requested</TableCell>
                    <TableCell>By</TableCell>
                    <TableCell>Snapshot</TableCell>
                    <TableCell>Status</TableCell>
                    <TableCell>Decided by</TableCell>
                    <TableCell>Outcome</TableCell>
                  </TableRow>
                </TableHead>
                <TableBody>
                  {history.map(request => (
                    <Fragment key={request.id}>
                      <TableRow>
                        <TableCell>
                          <Time value={request.requestedAt} />
                        </TableCell>
                        <TableCell>
                          {request.requestedBy}
                          <Typography variant="caption" component="div">
                            {request.reason}
                          </Typography>
                        </TableCell>
                        <TableCell>
                          <code style={{ whiteSpace: 'nowrap' }}>
                            {shortId(request.snapshotId)}
                          </code>
                        </TableCell>
                        <TableCell>
                          <JobStatusLabel status={request.status} />
                        </TableCell>
                        <TableCell>
                          {request.decidedBy ?? 'unknown'}
                          {request.decisionComment && (
                            <Typography variant="caption" component="div">
                              “{request.decisionComment}”
                            </Typography>
                          )}
                        </TableCell>
                        <TableCell>
                          {request.status === 'failed' && (
                            <Typography variant="body2" color="error">
                              {request.error ?? 'failed; the backend gave no reason'}
                            </Typography>
                          )}
                          {request.type === 'files' &&
                            (request.status === 'succeeded' || request.status === 'failed') && (
                              <PathOutcomes
                                outcome={request.outcome}
                                label={`Paths restored from snapshot ${shortId(request.snapshotId)}`}
                              />
                            )}
                          {request.type !== 'files' && request.status === 'succeeded' && (
                            <JobResult result={request.outcome} label="Restore outcome" />
                          )}
                          {request.status === 'nothing-restored' && (
                            <Typography variant="body2">
                              {request.outcomeMessage ??
                                'nothing was restored; the backend gave no reason'}
                            </Typography>
                          )}
                          {request.status === 'rejected' && 'not restored'}
                          {isUnderway(request) && (
                            <>
                              <JobProgress
                                progress={request.progress}
                                label={`Progress of the restore of snapshot ${shortId(request.snapshotId)}`}
                              />
                              <Typography variant="caption" component="div">
                                {request.log?.at(-1)?.message ?? 'starting…'}
                              </Typography>
                            </>
                          )}
                          {request.log && request.log.length > 0 && (
                            <LogToggle
                              open={openLog === request.id}
                              onToggle={() =>
                                setOpenLog(open => (open === request.id ? undefined : request.id))
                              }
                            />
                          )}
                        </TableCell>
                      </TableRow>
                      {openLog === request.id && (
                        <LogRow
                          log={request.log ?? []}
                          label={`Log of the restore of snapshot ${shortId(request.snapshotId)}`}
                          columns={6}
                        />
                      )}
                    </Fragment>
                  ))}
                </TableBody>
              </MuiTable>
            )}
          </Box>
        </>
      )}
      {deciding && (
        <DecisionDialog
          request={deciding.request}
          decision={deciding.decision}
          entityRef={props.entityRef}
          owners={props.owners}
          onClose={() => setDeciding(undefined)}
          onDecided={() => {
            setDeciding(undefined);
            state.refresh();
          }}
        />
      )}
    </InfoCard>
  );
}
