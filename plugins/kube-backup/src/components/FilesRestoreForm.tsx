import {
  EXISTING_FILE_POLICIES,
  type ExistingFilePolicy,
  requestBodyProblems,
  restoreRequestSchema,
  type RestoreRequest,
  type RestoreRequestBody,
} from '@kube-backup/backstage-plugin-kube-backup-common';
import Box from '@material-ui/core/Box';
import Button from '@material-ui/core/Button';
import TextField from '@material-ui/core/TextField';
import Typography from '@material-ui/core/Typography';
import { Alert, AlertTitle } from '@material-ui/lab';
import { useState } from 'react';
import type { VolumeRef } from '../api/types';
import { KubeBackupErrorPanel } from './ErrorPanel';
import { ReasonField, useRestoreRequest } from './useRestoreRequest';
import { EXISTING_FILE_TEXT, plural } from './format';

/**
 * Asks for chosen paths of a claim to be put back into a live claim of the entity: a restore
 * request of type files, which an owner approves like any other.
 */
export function FilesRestoreForm(props: {
  entityRef: string;
  owners: string[];
  volume: VolumeRef;
  paths: string[];
  /** The entity's claims in the volume's namespace: where the files may go. */
  claims: string[];
  onCancel(): void;
  onRequested?(request: RestoreRequest): void;
}) {
  const { volume, entityRef } = props;
  const [targetClaim, setTargetClaim] = useState(volume.claim);
  const [existing, setExisting] = useState<ExistingFilePolicy>('skip');
  const [reason, setReason] = useState('');
  const { submitting, error, request, submit } = useRestoreRequest(entityRef, props.onRequested);

  const body: RestoreRequestBody = {
    snapshotId: volume.snapshotId,
    reason: reason.trim(),
    files: {
      namespace: volume.namespace,
      claim: volume.claim,
      paths: props.paths,
      targetClaim,
      existing,
    },
  };
  const problems = requestBodyProblems(restoreRequestSchema, body);
  const owners = props.owners.length > 0 ? props.owners.join(', ') : 'an owner';

  if (request) {
    return (
      <Alert severity="success">
        <AlertTitle>Files restore requested</AlertTitle>
        {owners} of {entityRef} must approve it before anything is written. Its outcome, path by
        path, will be under Restore requests.
      </Alert>
    );
  }
  return (
    <Box
      component="section"
      aria-label="Restore these files"
      display="flex"
      flexDirection="column"
      style={{ gap: 16 }}
    >
      <Typography variant="body2">
        {plural(props.paths.length, 'path')} ({props.paths.join(', ')}) as snapshot{' '}
        {volume.snapshotId.slice(0, 12)} holds them, into a live claim in {volume.namespace}.
        Nothing else in the claim changes.
      </Typography>
      <TextField
        id="kube-backup-files-target"
        select
        label="Into claim"
        value={targetClaim}
        onChange={event => setTargetClaim(event.target.value)}
        SelectProps={{ native: true }}
      >
        {props.claims.map(claim => (
          <option key={claim} value={claim}>
            {claim}
          </option>
        ))}
      </TextField>
      <TextField
        id="kube-backup-files-existing"
        select
        label="Where a live file is in the way"
        value={existing}
        onChange={event => setExisting(event.target.value as ExistingFilePolicy)}
        SelectProps={{ native: true }}
      >
        {EXISTING_FILE_POLICIES.map(choice => (
          <option key={choice} value={choice}>
            {EXISTING_FILE_TEXT[choice]}
          </option>
        ))}
      </TextField>
      <ReasonField
        id="kube-backup-files-reason"
        value={reason}
        onChange={setReason}
        hint="What happened to these files: the owners read this"
      />
      {error !== undefined && (
        <KubeBackupErrorPanel
          error={error}
          action={{ kind: 'request-restore', entityRef, owners: props.owners }}
        />
      )}
      <Box display="flex" style={{ gap: 8 }}>
        <Button onClick={props.onCancel} disabled={submitting}>
          Back to the files
        </Button>
        <Button
          color="primary"
          variant="contained"
          disabled={submitting || problems.length > 0}
          onClick={() => submit(body)}
        >
          {submitting ? 'Sending…' : 'Request files restore'}
        </Button>
      </Box>
    </Box>
  );
}
