import Box from '@material-ui/core/Box';
import Typography from '@material-ui/core/Typography';

interface OutcomeLine {
  kind?: unknown;
  name?: unknown;
  namespace?: unknown;
  outcome?: unknown;
  message?: unknown;
}

const LEFT_ALONE = new Set(['skipped-exists', 'unchanged']);

const COUNT_NAMES: Record<string, string> = {
  'skipped-exists': 'already there (left as they are)',
};

/**
 * What the engine reported when a hydration or restore finished: counts per outcome, the
 * objects it wrote, and anything it wants the reader to know (missing Secrets, warnings).
 */
export function JobResult(props: { result?: Record<string, unknown>; label: string }) {
  const result = props.result;
  if (!result) {
    return <Typography variant="body2">The backend reported no details for this job.</Typography>;
  }
  const counts =
    result.counts && typeof result.counts === 'object'
      ? Object.entries(result.counts as Record<string, unknown>).filter(
          ([, value]) => typeof value === 'number' && value > 0,
        )
      : [];
  // Objects left alone are only counted: a restore into a live namespace leaves most of them.
  const objects = Array.isArray(result.objects)
    ? (result.objects as OutcomeLine[]).filter(object => !LEFT_ALONE.has(String(object.outcome)))
    : [];
  const missingSecrets = Array.isArray(result.missingSecrets)
    ? (result.missingSecrets as Array<{ name?: unknown; usedBy?: unknown }>)
    : [];
  const warnings = Array.isArray(result.warnings) ? (result.warnings as unknown[]) : [];
  return (
    <Box aria-label={props.label} role="region">
      {counts.length > 0 && (
        <Typography variant="body2">
          {counts.map(([name, value]) => `${value} ${COUNT_NAMES[name] ?? name}`).join(', ')}
        </Typography>
      )}
      {objects.length > 0 && (
        <ul aria-label="Objects written">
          {objects.slice(0, 200).map((object, index) => (
            <li key={index}>
              <code>
                {String(object.kind)}/{String(object.name)}
              </code>
              {object.namespace ? ` in ${String(object.namespace)}` : ''}: {String(object.outcome)}
              {object.message ? ` (${String(object.message)})` : ''}
            </li>
          ))}
          {objects.length > 200 && <li>…and {objects.length - 200} more</li>}
        </ul>
      )}
      {missingSecrets.length > 0 && (
        <Typography variant="body2" color="error">
          Secrets the workloads refer to but the namespace does not have:{' '}
          {missingSecrets.map(secret => String(secret.name)).join(', ')}. Create them (or hydrate
          again with Secrets, where allowed) before the pods can start.
        </Typography>
      )}
      {warnings.map((warning, index) => (
        <Typography key={index} variant="body2">
          Warning: {String(warning)}
        </Typography>
      ))}
    </Box>
  );
}
