import {
  requestBodyProblems,
  restoreRequestSchema,
  type RestoreRequest,
  type RestoreRequestBody,
  type SnapshotSummary,
} from '@kube-backup/backstage-plugin-kube-backup-common';
import Box from '@material-ui/core/Box';
import Button from '@material-ui/core/Button';
import Dialog from '@material-ui/core/Dialog';
import DialogActions from '@material-ui/core/DialogActions';
import DialogContent from '@material-ui/core/DialogContent';
import DialogTitle from '@material-ui/core/DialogTitle';
import TextField from '@material-ui/core/TextField';
import Typography from '@material-ui/core/Typography';
import { Alert, AlertTitle } from '@material-ui/lab';
import { useState } from 'react';
import { CheckboxField } from './CheckboxField';
import { KubeBackupErrorPanel } from './ErrorPanel';
import { ReasonField, useRestoreRequest } from './useRestoreRequest';
import { absoluteTime, formatBytes, sentence, shortId } from './format';

function list(text: string): string[] | undefined {
  const items = text
    .split(/[\s,]+/)
    .map(item => item.trim())
    .filter(Boolean);
  return items.length > 0 ? items : undefined;
}

/** A comma-separated list field: its problem in place of its hint when there is one. */
function ListField(props: {
  id: string;
  label: string;
  value: string;
  onChange(value: string): void;
  problem?: string;
  hint: string;
}) {
  return (
    <TextField
      id={props.id}
      label={props.label}
      value={props.value}
      onChange={event => props.onChange(event.target.value)}
      error={Boolean(props.problem)}
      helperText={props.problem ?? props.hint}
    />
  );
}

/** Ask for a restore of a snapshot into production; an owner of the entity approves it. */
export function RestoreRequestDialog(props: {
  entityRef: string;
  owners: string[];
  snapshot: SnapshotSummary;
  onClose(): void;
  onRequested?(request: RestoreRequest): void;
}) {
  const { snapshot, entityRef } = props;
  // Empty: the backend restores the entity's own namespaces. A snapshot may hold other
  // entities' namespaces too, which a request may not name.
  const [namespaces, setNamespaces] = useState('');
  const [objects, setObjects] = useState('');
  const [includeSecrets, setIncludeSecrets] = useState(true);
  const [overwrite, setOverwrite] = useState(false);
  const dataBytes = snapshot.volumeDataBytes;
  const [withData, setWithData] = useState(dataBytes !== undefined);
  const [reason, setReason] = useState('');
  const { submitting, error, request, submit } = useRestoreRequest(entityRef, props.onRequested);

  // The body the backend will get, checked field by field with the schema its router uses.
  const body: RestoreRequestBody = {
    snapshotId: snapshot.id,
    reason: reason.trim(),
    scope: {
      namespaces: list(namespaces),
      objects: list(objects),
      includeSecrets,
      existing: overwrite ? 'update' : 'skip',
      ...(dataBytes !== undefined ? { withData } : {}),
    },
  };
  const problems = requestBodyProblems(restoreRequestSchema, body);
  const problemOf = (field: string) => {
    const problem = problems.find(candidate => candidate.path.startsWith(field));
    return problem && sentence(problem.message);
  };
  const namespacesError = problemOf('scope.namespaces');
  const objectsError = problemOf('scope.objects');

  const owners = props.owners.length > 0 ? props.owners.join(', ') : 'an owner';
  return (
    <Dialog
      open
      onClose={props.onClose}
      maxWidth="sm"
      fullWidth
      aria-labelledby="kube-backup-restore-title"
    >
      <DialogTitle id="kube-backup-restore-title">
        Request a restore of snapshot {shortId(snapshot.id)}
      </DialogTitle>
      <DialogContent>
        {request ? (
          <Alert severity="success">
            <AlertTitle>Restore requested</AlertTitle>
            {owners} of {entityRef} must approve it before anything is restored. You will see its
            outcome under Restore requests.
          </Alert>
        ) : (
          <Box display="flex" flexDirection="column" style={{ gap: 16 }}>
            <Typography variant="body2">
              Taken {absoluteTime(snapshot.time)} in {snapshot.cluster.name}. Restores go to the
              production cluster once {owners} approve.
            </Typography>
            <ListField
              id="kube-backup-restore-namespaces"
              label="Namespaces"
              value={namespaces}
              onChange={setNamespaces}
              problem={namespacesError}
              hint="Comma separated; empty means every namespace of the entity in the snapshot"
            />
            <ListField
              id="kube-backup-restore-objects"
              label="Objects"
              value={objects}
              onChange={setObjects}
              problem={objectsError}
              hint="Optional: kind/name, comma separated (Deployment/web); empty means everything restorable"
            />
            <CheckboxField
              name="includeSecrets"
              label="Restore Secrets too"
              checked={includeSecrets}
              onChange={setIncludeSecrets}
            />
            {dataBytes !== undefined && (
              <CheckboxField
                name="withData"
                label={`Restore volume data (${formatBytes(dataBytes)}) into claims the restore creates`}
                checked={withData}
                onChange={setWithData}
              />
            )}
            <CheckboxField
              name="overwrite"
              label="Apply the snapshot's version over objects that exist (otherwise they are left as they are)"
              checked={overwrite}
              onChange={setOverwrite}
            />
            <ReasonField
              id="kube-backup-restore-reason"
              value={reason}
              onChange={setReason}
              hint="What happened and why this snapshot: the owners read this"
            />
            {error !== undefined && (
              <KubeBackupErrorPanel
                error={error}
                action={{ kind: 'request-restore', entityRef, owners: props.owners }}
              />
            )}
          </Box>
        )}
      </DialogContent>
      <DialogActions>
        {request ? (
          <Button color="primary" onClick={props.onClose}>
            Close
          </Button>
        ) : (
          <>
            <Button onClick={props.onClose}>Cancel</Button>
            <Button
              color="primary"
              variant="contained"
              disabled={submitting || problems.length > 0}
              onClick={() => submit(body)}
            >
              {submitting ? 'Sending…' : 'Request restore'}
            </Button>
          </>
        )}
      </DialogActions>
    </Dialog>
  );
}
