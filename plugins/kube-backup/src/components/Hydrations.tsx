import { InfoCard, Progress } from '@backstage/core-components';
import { useApi } from '@backstage/core-plugin-api';
import type { HydrationJob } from '@kube-backup/backstage-plugin-kube-backup-common';
import MuiTable from '@material-ui/core/Table';
import TableBody from '@material-ui/core/TableBody';
import TableCell from '@material-ui/core/TableCell';
import TableHead from '@material-ui/core/TableHead';
import TableRow from '@material-ui/core/TableRow';
import Typography from '@material-ui/core/Typography';
import { Fragment, useState } from 'react';
import { kubeBackupApiRef } from '../api/ref';
import { KubeBackupErrorPanel } from './ErrorPanel';
import { shortId } from './format';
import { JobProgress, LogRow, LogToggle } from './JobProgress';
import { JobStatusLabel } from './SnapshotStatus';
import { Time } from './Time';
import { usePolledLoad } from './useAsync';

function isUnderway(job: HydrationJob): boolean {
  return job.status === 'pending' || job.status === 'running';
}

/** The entity's hydrations, newest first, with the progress of those still running. */
export function Hydrations(props: {
  entityRef: string;
  refreshKey?: number;
  pollIntervalMs?: number;
}) {
  const api = useApi(kubeBackupApiRef);
  const state = usePolledLoad(
    () => api.listHydrations(props.entityRef),
    [api, props.entityRef, props.refreshKey],
    { isActive: jobs => jobs.some(isUnderway), intervalMs: props.pollIntervalMs ?? 3000 },
  );
  const [openLog, setOpenLog] = useState<string>();
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
              <Fragment key={job.id}>
                <TableRow>
                  <TableCell>
                    <Time value={job.createdAt} />
                  </TableCell>
                  <TableCell>{job.createdBy}</TableCell>
                  <TableCell>
                    {job.cluster}/{job.namespace}
                  </TableCell>
                  <TableCell>
                    <code style={{ whiteSpace: 'nowrap' }}>{shortId(job.snapshotId)}</code>
                  </TableCell>
                  <TableCell>
                    <JobStatusLabel status={job.status} />
                    {isUnderway(job) && (
                      <JobProgress
                        progress={job.progress}
                        label={`Progress of the hydration of ${job.cluster}/${job.namespace}`}
                      />
                    )}
                    {job.error && (
                      <Typography variant="caption" component="div" color="error">
                        {job.error}
                      </Typography>
                    )}
                    {job.log.length > 0 && (
                      <LogToggle
                        open={openLog === job.id}
                        onToggle={() => setOpenLog(open => (open === job.id ? undefined : job.id))}
                      />
                    )}
                  </TableCell>
                </TableRow>
                {openLog === job.id && (
                  <LogRow
                    log={job.log}
                    label={`Log of the hydration of ${job.cluster}/${job.namespace}`}
                    columns={5}
                  />
                )}
              </Fragment>
            ))}
          </TableBody>
        </MuiTable>
      )}
    </InfoCard>
  );
}
