import { useApi } from '@backstage/core-plugin-api';
import type {
  RestoreRequest,
  RestoreRequestBody,
} from '@kube-backup/backstage-plugin-kube-backup-common';
import TextField from '@material-ui/core/TextField';
import { useState } from 'react';
import { kubeBackupApiRef } from '../api/ref';

/**
 * Sending a restore request (of objects or of files): whether it is on its way, the
 * request the backend made, or why it refused.
 */
export function useRestoreRequest(
  entityRef: string,
  onRequested?: (request: RestoreRequest) => void,
) {
  const api = useApi(kubeBackupApiRef);
  const [submitting, setSubmitting] = useState(false);
  const [error, setError] = useState<unknown>();
  const [request, setRequest] = useState<RestoreRequest>();
  async function submit(body: RestoreRequestBody) {
    setSubmitting(true);
    setError(undefined);
    try {
      const created = await api.requestRestore(entityRef, body);
      setRequest(created);
      onRequested?.(created);
    } catch (caught) {
      setError(caught);
    } finally {
      setSubmitting(false);
    }
  }
  return { submitting, error, request, submit };
}

/** A restore request's reason, which the approving owners read. */
export function ReasonField(props: {
  id: string;
  value: string;
  onChange(value: string): void;
  hint: string;
}) {
  return (
    <TextField
      id={props.id}
      label="Reason"
      required
      multiline
      minRows={2}
      value={props.value}
      onChange={event => props.onChange(event.target.value)}
      helperText={props.hint}
    />
  );
}
