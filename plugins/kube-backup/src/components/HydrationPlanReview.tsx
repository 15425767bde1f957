import type {
  HydrationPlan,
  HydrationPlanKind,
  HydrationPlanObject,
} from '@kube-backup/backstage-plugin-kube-backup-common';
import Typography from '@material-ui/core/Typography';
import { Alert } from '@material-ui/lab';
import { kindCount } from './format';

const WRITTEN = new Set(['created', 'updated']);
const LEFT_ALONE = new Set(['skipped-exists', 'unchanged']);
/** Names listed per kind before "and N more". */
const NAMES_SHOWN = 5;

/** Each kind with those of its objects whose outcome is in `outcomes`; kinds left empty go. */
function byOutcome(plan: HydrationPlan, outcomes: Set<string>) {
  return plan.kinds
    .map(kind => ({ kind, objects: kind.objects.filter(object => outcomes.has(object.outcome)) }))
    .filter(entry => entry.objects.length > 0);
}

function names(objects: HydrationPlanObject[]): string {
  const shown = objects.slice(0, NAMES_SHOWN).map(object => object.name);
  const more = objects.length - shown.length;
  return shown.join(', ') + (more > 0 ? `, and ${more} more` : '');
}

function KindList(props: {
  id: string;
  title: string;
  entries: Array<{ kind: HydrationPlanKind; objects: HydrationPlanObject[] }>;
}) {
  return (
    <>
      <Typography variant="subtitle1" component="h3" id={props.id}>
        {props.title}
      </Typography>
      <ul aria-labelledby={props.id}>
        {props.entries.map(({ kind, objects }) => (
          <li key={`${kind.group}/${kind.kind}`}>
            {kindCount(objects.length, kind.kind, kind.resource)} ({names(objects)})
          </li>
        ))}
      </ul>
    </>
  );
}

/**
 * The review of a hydration: what the backend plans to write for this entity into this
 * namespace (the hydration's own choice of objects, checked by the target's API server in a
 * dry run), what is already there, what would fail, and what stays behind.
 */
export function HydrationPlanReview(props: { entityRef: string; plan: HydrationPlan }) {
  const { entityRef, plan: value } = props;
  const written = byOutcome(value, WRITTEN);
  const leftAlone = byOutcome(value, LEFT_ALONE);
  const failing = value.kinds.flatMap(kind =>
    kind.objects
      .filter(object => object.outcome === 'failed')
      .map(object => ({ kind: kind.kind, ...object })),
  );
  return (
    <>
      {written.length === 0 ? (
        <Typography variant="body2">
          Nothing would be written: the snapshot holds no object of {entityRef} that a hydration
          copies, or they are all there already.
        </Typography>
      ) : (
        <KindList
          id="kube-backup-hydrate-plan"
          title="Will be created or updated"
          entries={written}
        />
      )}
      {leftAlone.length > 0 && (
        <KindList
          id="kube-backup-hydrate-left"
          title={`Already in ${value.namespace}, left as they are`}
          entries={leftAlone}
        />
      )}
      {failing.length > 0 && (
        <Alert severity="warning">
          The target's API server would refuse:{' '}
          {failing
            .map(
              object =>
                `${object.kind}/${object.name}${object.message ? ` (${object.message})` : ''}`,
            )
            .join('; ')}
        </Alert>
      )}
      {value.missingSecrets.length > 0 && (
        <Typography variant="body2">
          Secrets the workloads use that {value.namespace} would not have:{' '}
          {value.missingSecrets.map(secret => secret.name).join(', ')}.
        </Typography>
      )}
      {value.droppedAutoscalers.length > 0 && (
        <Typography variant="body2">
          Left out so the replicas hold: {value.droppedAutoscalers.join(', ')}.
        </Typography>
      )}
      {value.leftOutIngresses.length > 0 && (
        <Typography variant="body2">
          Left out so production keeps its traffic:{' '}
          {value.leftOutIngresses
            .map(ingress => `Ingress/${ingress.name} (${ingress.reason})`)
            .join('; ')}
          .
        </Typography>
      )}
      {value.warnings.map((warning, index) => (
        <Typography key={index} variant="body2">
          Note: {warning}
        </Typography>
      ))}
      <Typography variant="caption" color="textSecondary" component="p">
        Computed by the backend for {entityRef} from namespace {value.sourceNamespace} of the
        snapshot, with the hydration's own choices, and checked by the target cluster's API server
        in a dry run: nothing is written until you hydrate.
      </Typography>
    </>
  );
}
