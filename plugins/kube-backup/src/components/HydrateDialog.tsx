import { Progress } from '@backstage/core-components';
import { useApi } from '@backstage/core-plugin-api';
import {
  hydrationRequestSchema,
  matchesAnyNamePattern,
  MAX_HYDRATION_REPLICAS,
  requestBodyProblems,
  type HydrationJob,
  type HydrationRequestBody,
  type HydrationTarget,
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
import { useEffect, useState } from 'react';
import { kubeBackupApiRef } from '../api/ref';
import { CheckboxField } from './CheckboxField';
import { KubeBackupErrorPanel } from './ErrorPanel';
import { absoluteTime, formatBytes, sentence, shortId, suggestNamespace } from './format';
import { HydrationPlanReview } from './HydrationPlanReview';
import { JobLog, JobProgress } from './JobProgress';
import { JobResult } from './JobResult';
import { JobStatusLabel } from './SnapshotStatus';
import { useLoad } from './useAsync';

export interface HydrateDialogProps {
  entityRef: string;
  /** The entity's owners, named when the backend refuses. */
  owners: string[];
  snapshot: SnapshotSummary;
  /** The signed-in user, for a namespace suggestion (`dev-alice`). */
  userEntityRef?: string;
  onClose(): void;
  /** Called once a hydration has finished, either way. */
  onFinished?(job: HydrationJob): void;
  pollIntervalMs?: number;
}

type Step = 'options' | 'confirm' | 'progress';

/**
 * Hydrate a dev/test namespace from a snapshot: choose an allowed target, set options,
 * confirm against what the backend plans to write, follow the job, see the result.
 */
export function HydrateDialog(props: HydrateDialogProps) {
  const api = useApi(kubeBackupApiRef);
  const { entityRef, snapshot } = props;
  const targets = useLoad(() => api.listHydrationTargets(entityRef), [api, entityRef]);
  const [step, setStep] = useState<Step>('options');
  const [targetName, setTargetName] = useState('');
  const [namespace, setNamespace] = useState('');
  const [replicas, setReplicas] = useState('1');
  const [includeSecrets, setIncludeSecrets] = useState(false);
  const dataBytes = snapshot.volumeDataBytes;
  const [withData, setWithData] = useState(dataBytes !== undefined);
  const [submitting, setSubmitting] = useState(false);
  const [startError, setStartError] = useState<unknown>();
  const [job, setJob] = useState<HydrationJob>();
  const [pollError, setPollError] = useState<unknown>();

  const userName = (props.userEntityRef ?? '').split('/').pop() ?? '';
  const target: HydrationTarget | undefined = targets.value?.find(t => t.name === targetName);
  // Secrets come along only where the chosen target allows them.
  const withSecrets = includeSecrets && target?.allowSecrets === true;

  // Pick the first target once they are known.
  useEffect(() => {
    if (!targetName && targets.value && targets.value.length > 0) {
      setTargetName(targets.value[0].name);
      setNamespace(suggestNamespace(targets.value[0].namespaces[0], userName));
    }
  }, [targets.value, targetName, userName]);

  // Follow the job until it finishes.
  const jobId = job?.id;
  const finished = job?.status === 'succeeded' || job?.status === 'failed';
  const { onFinished, pollIntervalMs = 1000 } = props;
  useEffect(() => {
    if (!jobId || finished) return undefined;
    let cancelled = false;
    const timer = setInterval(() => {
      api.getHydration(jobId).then(
        current => {
          if (cancelled) return;
          setPollError(undefined);
          setJob(current);
          if (current.status === 'succeeded' || current.status === 'failed') {
            onFinished?.(current);
          }
        },
        error => !cancelled && setPollError(error),
      );
    }, pollIntervalMs);
    return () => {
      cancelled = true;
      clearInterval(timer);
    };
  }, [api, jobId, finished, pollIntervalMs, onFinished]);

  // The body the backend will get, checked field by field with the schema its router uses.
  const body: HydrationRequestBody = {
    snapshotId: snapshot.id,
    target: targetName,
    namespace,
    includeSecrets: withSecrets,
    replicas: replicas.trim() === '' ? NaN : Number(replicas),
    ...(dataBytes !== undefined ? { withData } : {}),
  };
  const problems = requestBodyProblems(hydrationRequestSchema, body);
  // The review shows the backend's plan for exactly this body; it is asked for on review.
  const plan = useLoad(
    () => (step === 'confirm' ? api.planHydration(entityRef, body) : Promise.resolve(undefined)),
    [
      api,
      entityRef,
      step,
      body.snapshotId,
      body.target,
      body.namespace,
      withSecrets,
      replicas,
      withData,
    ],
  );
  const problemOf = (field: string) => {
    const problem = problems.find(candidate => candidate.path === field);
    return problem && sentence(problem.message);
  };
  const replicasError = problemOf('replicas');
  const namespaceError = !namespace
    ? 'Name the namespace to fill'
    : (problemOf('namespace') ??
      (target && !matchesAnyNamePattern(target.namespaces, namespace)
        ? `Target ${target.name} allows only ${target.namespaces.join(', ')}`
        : undefined));

  const hydrateAction = {
    kind: 'hydrate' as const,
    target: target?.name ?? targetName,
    namespace,
    entityRef,
    owners: props.owners,
  };

  const ownersHint = props.owners.length > 0 ? ` (${props.owners.join(', ')})` : '';

  async function start() {
    if (!target) return;
    setSubmitting(true);
    setStartError(undefined);
    try {
      const started = await api.startHydration(entityRef, body);
      setJob(started);
      setStep('progress');
    } catch (error) {
      setStartError(error);
    } finally {
      setSubmitting(false);
    }
  }

  let content: React.ReactNode;
  let actions: React.ReactNode;
  if (step === 'options') {
    const noTargets = !targets.loading && !targets.error && targets.value?.length === 0;
    content = (
      <>
        <Typography variant="body2" gutterBottom>
          Snapshot {shortId(snapshot.id)} of {entityRef}, taken {absoluteTime(snapshot.time)} in{' '}
          {snapshot.cluster.name}.
        </Typography>
        {targets.loading && <Progress />}
        {targets.error !== undefined && (
          <KubeBackupErrorPanel
            error={targets.error}
            action={{ kind: 'load', what: 'the hydration targets' }}
          />
        )}
        {noTargets && (
          <Alert severity="info">
            <AlertTitle>No hydration target is open to you for {entityRef}</AlertTitle>
            Hydration targets are configured in the backend (
            <code>kubeBackup.hydration.targets</code>) and may be limited to some entities and
            owners. Ask an owner of {entityRef}
            {ownersHint} or your platform team for access.
          </Alert>
        )}
        {targets.value && targets.value.length > 0 && (
          <Box display="flex" flexDirection="column" style={{ gap: 16 }} mt={1}>
            <TextField
              select
              id="kube-backup-hydrate-target"
              label="Target"
              value={targetName}
              onChange={event => {
                const next = targets.value?.find(t => t.name === event.target.value);
                setTargetName(event.target.value);
                if (next) setNamespace(suggestNamespace(next.namespaces[0], userName));
                if (!next?.allowSecrets) setIncludeSecrets(false);
              }}
              SelectProps={{ native: true }}
              helperText={target ? `Cluster ${target.cluster}` : undefined}
            >
              {targets.value.map(option => (
                <option key={option.name} value={option.name}>
                  {option.title ? `${option.title} (${option.name})` : option.name}
                </option>
              ))}
            </TextField>
            <TextField
              id="kube-backup-hydrate-namespace"
              label="Namespace"
              value={namespace}
              onChange={event => setNamespace(event.target.value.trim())}
              error={Boolean(namespace) && Boolean(namespaceError)}
              helperText={
                namespaceError ??
                `Created when absent; allowed: ${target?.namespaces.join(', ') ?? ''}`
              }
            />
            <TextField
              id="kube-backup-hydrate-replicas"
              label="Replicas"
              type="number"
              value={replicas}
              onChange={event => setReplicas(event.target.value)}
              error={Boolean(replicasError)}
              helperText={replicasError ?? 'Every scaled workload runs this many pods'}
              inputProps={{ min: 0, max: MAX_HYDRATION_REPLICAS }}
            />
            {dataBytes !== undefined && (
              <>
                <CheckboxField
                  name="withData"
                  label={`Restore volume data (${formatBytes(dataBytes)})`}
                  checked={withData}
                  onChange={setWithData}
                />
                <Typography variant="caption" color="textSecondary">
                  Claims are filled with the snapshot's data before the workloads start; without it
                  they start empty.
                </Typography>
              </>
            )}
            {target?.allowSecrets ? (
              <>
                <CheckboxField
                  name="includeSecrets"
                  label="Also restore Secrets"
                  checked={includeSecrets}
                  onChange={setIncludeSecrets}
                />
                <Typography variant="caption" color="textSecondary">
                  Production Secrets stay behind unless you ask for them.
                </Typography>
              </>
            ) : (
              <Typography variant="caption" color="textSecondary">
                Production Secrets stay behind: target {target?.name ?? targetName} does not allow
                them. The result names the Secrets the workloads need.
              </Typography>
            )}
          </Box>
        )}
      </>
    );
    actions = (
      <>
        <Button onClick={props.onClose}>Cancel</Button>
        <Button
          color="primary"
          variant="contained"
          disabled={!target || Boolean(namespaceError) || Boolean(replicasError)}
          onClick={() => setStep('confirm')}
        >
          Review
        </Button>
      </>
    );
  } else if (step === 'confirm') {
    content = (
      <>
        <Typography variant="subtitle1" component="h3" id="kube-backup-hydrate-summary">
          Summary
        </Typography>
        <dl aria-labelledby="kube-backup-hydrate-summary">
          <dt>From</dt>
          <dd>
            snapshot {shortId(snapshot.id)} ({absoluteTime(snapshot.time)}, cluster{' '}
            {snapshot.cluster.name})
          </dd>
          <dt>Into</dt>
          <dd>
            namespace <strong>{namespace}</strong> in cluster <strong>{target?.cluster}</strong>{' '}
            (target {target?.title ?? target?.name})
          </dd>
          <dt>Replicas</dt>
          <dd>{body.replicas} per scaled workload</dd>
          <dt>Secrets</dt>
          <dd>{withSecrets ? 'restored' : 'left out'}</dd>
          <dt>Volume data</dt>
          <dd>
            {dataBytes === undefined
              ? 'none in this snapshot'
              : withData
                ? `restored (${formatBytes(dataBytes)})`
                : 'left out: claims start empty'}
          </dd>
        </dl>
        {plan.loading && <Progress />}
        {!plan.loading && plan.error !== undefined && (
          <KubeBackupErrorPanel error={plan.error} action={hydrateAction} />
        )}
        {!plan.loading && plan.value && (
          <HydrationPlanReview entityRef={entityRef} plan={plan.value} />
        )}
        {startError !== undefined && (
          <KubeBackupErrorPanel error={startError} action={hydrateAction} />
        )}
      </>
    );
    actions = (
      <>
        <Button onClick={() => setStep('options')} disabled={submitting}>
          Back
        </Button>
        <Button
          color="primary"
          variant="contained"
          disabled={submitting || !target || !plan.value}
          onClick={start}
        >
          {submitting ? 'Starting…' : 'Hydrate'}
        </Button>
      </>
    );
  } else {
    const current = job!;
    content = (
      <>
        <Typography variant="body2" gutterBottom>
          Hydrating {current.cluster}/{current.namespace} from snapshot{' '}
          {shortId(current.snapshotId)}: <JobStatusLabel status={current.status} />
        </Typography>
        {!finished && <JobProgress progress={current.progress} label="Hydration progress" />}
        {current.status === 'succeeded' && (
          <Alert severity="success">
            <AlertTitle>
              Hydrated {current.namespace} in {current.cluster}
            </AlertTitle>
            <JobResult result={current.result} label="Hydration result" />
          </Alert>
        )}
        {current.status === 'failed' && (
          <Alert severity="error" role="alert">
            <AlertTitle>The hydration failed</AlertTitle>
            <Typography variant="body2">
              {current.error ?? 'The backend gave no reason.'}
            </Typography>
            <Typography variant="body2">
              <strong>What to do: </strong>read the log below; objects written before the failure
              stay in {current.namespace} and carry the label{' '}
              <code>kube-backup.io/hydrated-from</code>. Hydrate again to refresh them, or ask your
              platform team if the error names the cluster or the backend.
            </Typography>
          </Alert>
        )}
        {pollError !== undefined && (
          <KubeBackupErrorPanel
            error={pollError}
            action={{ kind: 'load', what: 'this hydration' }}
          />
        )}
        <Typography variant="subtitle2" component="h3">
          Log
        </Typography>
        <JobLog log={current.log} label="Hydration log" />
      </>
    );
    actions = (
      <Button onClick={props.onClose} color={finished ? 'primary' : 'default'}>
        {finished ? 'Close' : 'Close (keeps running)'}
      </Button>
    );
  }

  return (
    <Dialog
      open
      onClose={props.onClose}
      maxWidth="sm"
      fullWidth
      aria-labelledby="kube-backup-hydrate-title"
    >
      <DialogTitle id="kube-backup-hydrate-title">
        Hydrate from snapshot {shortId(snapshot.id)}
      </DialogTitle>
      <DialogContent>{content}</DialogContent>
      <DialogActions>{actions}</DialogActions>
    </Dialog>
  );
}
