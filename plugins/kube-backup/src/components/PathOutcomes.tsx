import type { FilesRestorePathOutcome } from '@kube-backup/backstage-plugin-kube-backup-common';
import Typography from '@material-ui/core/Typography';

/** What a files restore did with each path: restored, skipped (and why), or failed. */
export function PathOutcomes(props: { outcome?: Record<string, unknown>; label: string }) {
  const paths = Array.isArray(props.outcome?.paths)
    ? (props.outcome.paths as FilesRestorePathOutcome[])
    : undefined;
  if (!paths) {
    return <Typography variant="body2">The backend reported no outcome per path.</Typography>;
  }
  const targetClaim =
    typeof props.outcome?.targetClaim === 'string' ? props.outcome.targetClaim : '';
  return (
    <ul aria-label={props.label} style={{ margin: 0, paddingLeft: 16 }}>
      {paths.map(path => (
        <li key={path.path}>
          <Typography variant="body2" color={path.outcome === 'failed' ? 'error' : 'initial'}>
            <code>{path.path}</code> → {targetClaim}
            {targetClaim ? ':' : ''}
            <code>{path.target}</code>: {path.outcome}
            {path.message ? ` (${path.message})` : ''}
          </Typography>
        </li>
      ))}
    </ul>
  );
}
