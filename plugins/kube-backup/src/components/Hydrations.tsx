import { InfoCard, Progress } from '@backstage/core-components';
import { useApi } from '@backstage/core-plugin-api';
import MuiTable from '@material-ui/core/Table';
import TableBody from '@material-ui/core/TableBody';
import TableCell from '@material-ui/core/TableCell';
import TableHead from '@material-ui/core/TableHead';
import TableRow from '@material-ui/core/TableRow';
import Typography from '@material-ui/core/Typography';
import { kubeBackupApiRef } from '../api/ref';
import { KubeBackupErrorPanel } from './ErrorPanel';
import { shortId } from './format';
import { JobStatusLabel } from './SnapshotStatus';
import { Time } from './Time';
import { useLoad } from './useAsync';

/** The entity's hydrations, newest first. */
export function Hydrations(props: { entityRef: string; refreshKey?: number }) {
  const api = useApi(kubeBackupApiRef);
  const state = useLoad(
    () => api.listHydrations(props.entityRef),
    [api, props.entityRef, props.refreshKey],
  );
  return (
    <InfoCard title="Hydrations">
      {state.loading && !state.value && <Progress />}
      {state.error !== undefined && (
        <KubeBackupErrorPanel error={state.error} action={{ kind: 'load', what: 'hydrations' }} />
      )}
      {state.value && state.value.length === 0 && (
        <Typography variant="body2">
          Nobody has hydrated a dev or test namespace from this entity's snapshots yet.
        </Typography>
      )}
      {state.value && state.value.length > 0 && (
        <MuiTable size="small" aria-label="Hydrations">
          <TableHead>
            <TableRow>
              <TableCell>Started</TableCell>
              <TableCell>By</TableCell>
              <TableCell>Into</TableCell>
              <TableCell>Snapshot</TableCell>
              <TableCell>Status</TableCell>
            </TableRow>
          </TableHead>
          <TableBody>
            {state.value.slice(0, 20).map(job => (
              <TableRow key={job.id}>
                <TableCell>
                  <Time value={job.createdAt} />
                </TableCell>
                <TableCell>{job.createdBy}</TableCell>
                <TableCell>
                  {job.cluster}/{job.namespace}
                </TableCell>
                <TableCell>
                  <code>{shortId(job.snapshotId)}</code>
                </TableCell>
                <TableCell>
                  <JobStatusLabel status={job.status} />
                  {job.error && (
                    <Typography variant="caption" component="div" color="error">
                      {job.error}
                    </Typography>
                  )}
                </TableCell>
              </TableRow>
            ))}
          </TableBody>
        </MuiTable>
      )}
    </InfoCard>
  );
}
