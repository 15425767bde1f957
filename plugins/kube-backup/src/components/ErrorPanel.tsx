import { Alert, AlertTitle } from '@material-ui/lab';
import Typography from '@material-ui/core/Typography';
import { describeError, type ErrorAction } from './describeError';

/** An error as a person reads it: what happened, the backend's words, what to do next. */
export function KubeBackupErrorPanel(props: { error: unknown; action: ErrorAction }) {
  const description = describeError(props.error, props.action);
  return (
    <Alert severity="error" role="alert">
      <AlertTitle>{description.title}</AlertTitle>
      {description.detail && (
        <Typography variant="body2" component="p">
          {description.detail}
        </Typography>
      )}
      <Typography variant="body2" component="p">
        <strong>What to do: </strong>
        {description.next}
      </Typography>
    </Alert>
  );
}
