import { Progress } from '@backstage/core-components';
import { useApi } from '@backstage/core-plugin-api';
import { stringifyEntityRef } from '@backstage/catalog-model';
import { useEntity } from '@backstage/plugin-catalog-react';
import {
  entityOwners,
  kubernetesClaim,
  MAX_SNAPSHOT_PAGE_SIZE,
  type SnapshotSummary,
} from '@kube-backup/backstage-plugin-kube-backup-common';
import Grid from '@material-ui/core/Grid';
import { Alert, AlertTitle } from '@material-ui/lab';
import { useCallback, useState } from 'react';
import { kubeBackupApiRef } from '../api/ref';
import { KubeBackupErrorPanel } from './ErrorPanel';
import { HydrateDialog } from './HydrateDialog';
import { Hydrations } from './Hydrations';
import { NoSnapshots } from './NoSnapshots';
import { useViewer } from './ownership';
import { RestoreRequestDialog } from './RestoreRequestDialog';
import { RestoreRequests } from './RestoreRequests';
import { SnapshotDetailDialog } from './SnapshotDetailDialog';
import { SnapshotsTable } from './SnapshotsTable';
import { useLoad } from './useAsync';

export interface KubeBackupContentProps {
  /** How often a running hydration is polled, in milliseconds. */
  pollIntervalMs?: number;
}

/** The entity tab: its snapshots, hydration into dev/test, and restore requests. */
export function KubeBackupContent(props: KubeBackupContentProps) {
  const { entity } = useEntity();
  const api = useApi(kubeBackupApiRef);
  const entityRef = stringifyEntityRef(entity);
  const owners = entityOwners(entity);
  const viewer = useViewer(entity);
  const snapshots = useLoad(
    // The table holds the newest snapshots the backend lists in one page.
    () => api.listSnapshots(entityRef, { limit: MAX_SNAPSHOT_PAGE_SIZE }),
    [api, entityRef],
  );
  const targets = useLoad(() => api.listHydrationTargets(entityRef), [api, entityRef]);
  const [dialog, setDialog] = useState<{
    kind: 'details' | 'hydrate' | 'restore';
    snapshot: SnapshotSummary;
  }>();
  const [requestsKey, setRequestsKey] = useState(0);
  const [hydrationsKey, setHydrationsKey] = useState(0);
  const close = useCallback(() => setDialog(undefined), []);
  const hydrationFinished = useCallback(() => setHydrationsKey(value => value + 1), []);

  const claim = kubernetesClaim(entity);
  const kubernetesId = claim?.id;
  let main: React.ReactNode;
  if (snapshots.loading && !snapshots.value) {
    main = <Progress />;
  } else if (snapshots.error !== undefined) {
    main = (
      <KubeBackupErrorPanel
        error={snapshots.error}
        action={{ kind: 'load', what: "this entity's snapshots" }}
      />
    );
  } else if (!snapshots.value || snapshots.value.totalCount === 0) {
    main = <NoSnapshots kubernetesId={kubernetesId} />;
  } else {
    main = (
      <SnapshotsTable
        snapshots={snapshots.value.items}
        totalCount={snapshots.value.totalCount}
        canHydrate={(targets.value?.length ?? 0) > 0}
        onDetails={snapshot => setDialog({ kind: 'details', snapshot })}
        onHydrate={snapshot => setDialog({ kind: 'hydrate', snapshot })}
        onRequestRestore={snapshot => setDialog({ kind: 'restore', snapshot })}
      />
    );
  }

  return (
    <Grid container spacing={3}>
      {!claim && (
        <Grid item xs={12}>
          <Alert severity="info">
            <AlertTitle>This entity is not tied to Kubernetes workloads</AlertTitle>
            Add the <code>backstage.io/kubernetes-id</code>,{' '}
            <code>backstage.io/kubernetes-namespace</code> or{' '}
            <code>backstage.io/kubernetes-label-selector</code> annotation to its catalog entry so
            its snapshots can be found.
          </Alert>
        </Grid>
      )}
      <Grid item xs={12}>
        {main}
      </Grid>
      <Grid item xs={12}>
        <RestoreRequests
          entityRef={entityRef}
          owners={owners}
          isOwner={viewer.isOwner}
          refreshKey={requestsKey}
          pollIntervalMs={props.pollIntervalMs}
        />
      </Grid>
      <Grid item xs={12}>
        <Hydrations
          entityRef={entityRef}
          refreshKey={hydrationsKey}
          pollIntervalMs={props.pollIntervalMs}
        />
      </Grid>
      {dialog?.kind === 'details' && (
        <SnapshotDetailDialog
          entityRef={entityRef}
          owners={owners}
          snapshot={dialog.snapshot}
          onClose={close}
          onRequested={() => setRequestsKey(value => value + 1)}
        />
      )}
      {dialog?.kind === 'hydrate' && (
        <HydrateDialog
          entityRef={entityRef}
          owners={owners}
          snapshot={dialog.snapshot}
          userEntityRef={viewer.userEntityRef}
          onClose={close}
          onFinished={hydrationFinished}
          pollIntervalMs={props.pollIntervalMs}
        />
      )}
      {dialog?.kind === 'restore' && (
        <RestoreRequestDialog
          entityRef={entityRef}
          owners={owners}
          snapshot={dialog.snapshot}
          onClose={close}
          onRequested={() => setRequestsKey(value => value + 1)}
        />
      )}
    </Grid>
  );
}
