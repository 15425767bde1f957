import { InfoCard, Progress } from '@backstage/core-components';
import { useApi } from '@backstage/core-plugin-api';
import { stringifyEntityRef } from '@backstage/catalog-model';
import { useEntity } from '@backstage/plugin-catalog-react';
import Typography from '@material-ui/core/Typography';
import { kubeBackupApiRef } from '../api/ref';
import { KubeBackupErrorPanel } from './ErrorPanel';
import { absoluteTime, plural, shortId } from './format';
import { SnapshotStatus } from './SnapshotStatus';
import { Time } from './Time';
import { useLoad } from './useAsync';

/** Overview card: the newest snapshot, how many there are, pending restore requests. */
export function KubeBackupCard() {
  const { entity } = useEntity();
  const api = useApi(kubeBackupApiRef);
  const entityRef = stringifyEntityRef(entity);
  const state = useLoad(async () => {
    const [snapshots, requests] = await Promise.all([
      api.listSnapshots(entityRef, { limit: 1 }),
      api.listRestoreRequests(entityRef),
    ]);
    return { snapshots, pending: requests.filter(r => r.status === 'pending').length };
  }, [api, entityRef]);
  const latest = state.value?.snapshots.items[0];
  return (
    <InfoCard title="Backups">
      {state.loading && <Progress />}
      {state.error !== undefined && (
        <KubeBackupErrorPanel error={state.error} action={{ kind: 'load', what: 'backups' }} />
      )}
      {state.value && !latest && (
        <Typography variant="body2">
          No snapshots yet: mark workloads with <code>kubectl backup annotate</code> and take one
          with <code>kubectl backup create --entity &lt;id&gt;</code>.
        </Typography>
      )}
      {state.value && latest && (
        <>
          <Typography variant="body2">
            Latest snapshot <code>{shortId(latest.id)}</code>, <Time value={latest.time} /> (
            {absoluteTime(latest.time)}) from {latest.cluster.name}:{' '}
            <SnapshotStatus snapshot={latest} />
          </Typography>
          <Typography variant="body2">
            {plural(state.value.snapshots.totalCount, 'snapshot')} in all;{' '}
            {plural(state.value.pending, 'restore request')} waiting for a decision.
          </Typography>
        </>
      )}
    </InfoCard>
  );
}
