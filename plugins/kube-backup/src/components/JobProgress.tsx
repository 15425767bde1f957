import type { JobLogLine } from '@kube-backup/backstage-plugin-kube-backup-common';
import Box from '@material-ui/core/Box';
import Button from '@material-ui/core/Button';
import LinearProgress from '@material-ui/core/LinearProgress';
import TableCell from '@material-ui/core/TableCell';
import TableRow from '@material-ui/core/TableRow';
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

/** Shows or hides a table row's log. */
export function LogToggle(props: { open: boolean; onToggle(): void }) {
  return (
    <Button size="small" aria-expanded={props.open} onClick={props.onToggle}>
      {props.open ? 'Hide log' : 'Show log'}
    </Button>
  );
}

/** A job's log as a full-width row under the job's own row. */
export function LogRow(props: { log: JobLogLine[]; label: string; columns: number }) {
  return (
    <TableRow>
      <TableCell colSpan={props.columns}>
        <JobLog log={props.log} label={props.label} />
      </TableCell>
    </TableRow>
  );
}
