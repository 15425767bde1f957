import type { JobLogLine } from '@kube-backup/backstage-plugin-kube-backup-common';
import Box from '@material-ui/core/Box';
import LinearProgress from '@material-ui/core/LinearProgress';
import Typography from '@material-ui/core/Typography';

/** A running job's bar: indeterminate until the engine knows how much there is to do. */
export function JobProgress(props: { progress?: number | null; label: string }) {
  const percent =
    props.progress === undefined || props.progress === null
      ? undefined
      : Math.round(props.progress * 100);
  return (
    <Box display="flex" alignItems="center" style={{ gap: 8 }}>
      <Box flexGrow={1}>
        <LinearProgress
          aria-label={props.label}
          variant={percent === undefined ? 'indeterminate' : 'determinate'}
          value={percent}
        />
      </Box>
      {percent !== undefined && <Typography variant="caption">{percent}%</Typography>}
    </Box>
  );
}

/** What a job reported, oldest line first. */
export function JobLog(props: { log: JobLogLine[]; label: string }) {
  return (
    <Box
      component="ol"
      aria-label={props.label}
      style={{ fontFamily: 'monospace', fontSize: 12, maxHeight: 200, overflow: 'auto' }}
    >
      {props.log.map((line, index) => (
        <li key={index}>
          [{line.level}] {line.message}
        </li>
      ))}
    </Box>
  );
}
