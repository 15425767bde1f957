import { Progress } from '@backstage/core-components';
import { useApi } from '@backstage/core-plugin-api';
import type {
  RestoreRequest,
  SnapshotDetail,
  SnapshotSummary,
  SnapshotVolume,
} from '@kube-backup/backstage-plugin-kube-backup-common';
import Box from '@material-ui/core/Box';
import Button from '@material-ui/core/Button';
import Dialog from '@material-ui/core/Dialog';
import DialogActions from '@material-ui/core/DialogActions';
import DialogContent from '@material-ui/core/DialogContent';
import DialogTitle from '@material-ui/core/DialogTitle';
import MuiTable from '@material-ui/core/Table';
import TableBody from '@material-ui/core/TableBody';
import TableCell from '@material-ui/core/TableCell';
import TableHead from '@material-ui/core/TableHead';
import TableRow from '@material-ui/core/TableRow';
import Typography from '@material-ui/core/Typography';
import { useState } from 'react';
import { kubeBackupApiRef } from '../api/ref';
import { KubeBackupErrorPanel } from './ErrorPanel';
import { absoluteTime, formatBytes, plural, shortId } from './format';
import { SnapshotStatus } from './SnapshotStatus';
import { useLoad } from './useAsync';
import { VolumeFilesDialog } from './VolumeFilesDialog';

function Section(props: { id: string; title: string; children: React.ReactNode }) {
  return (
    <Box component="section" aria-labelledby={props.id} mt={2}>
      <Typography variant="h6" id={props.id} component="h3">
        {props.title}
      </Typography>
      {props.children}
    </Box>
  );
}

function SimpleTable(props: { label: string; head: string[]; rows: React.ReactNode[][] }) {
  return (
    <MuiTable size="small" aria-label={props.label}>
      <TableHead>
        <TableRow>
          {props.head.map(cell => (
            <TableCell key={cell}>{cell}</TableCell>
          ))}
        </TableRow>
      </TableHead>
      <TableBody>
        {props.rows.map((row, index) => (
          <TableRow key={index}>
            {row.map((cell, cellIndex) => (
              <TableCell key={cellIndex}>{cell}</TableCell>
            ))}
          </TableRow>
        ))}
      </TableBody>
    </MuiTable>
  );
}

export function SnapshotDetailView(props: {
  detail: SnapshotDetail;
  /** Opens a claim's files; absent: no Browse files action. */
  onBrowse?(volume: SnapshotVolume): void;
}) {
  const { detail } = props;
  const kinds = Object.keys(detail.objectsByKind).sort();
  return (
    <>
      <Typography variant="body2">
        Taken {absoluteTime(detail.time)} from cluster <strong>{detail.cluster.name}</strong> (
        {detail.cluster.server}, Kubernetes {detail.cluster.version ?? 'version unknown'}) in{' '}
        {detail.namespaces.join(', ') || 'no namespace'}; <SnapshotStatus snapshot={detail} />
      </Typography>
      <Section id="kube-backup-detail-objects" title={`Objects (${detail.objectCount})`}>
        {kinds.length === 0 && <Typography>No objects of this entity.</Typography>}
        {kinds.map(kind => (
          <Box key={kind} mt={1}>
            <Typography variant="subtitle2" component="h4">
              {kind} ({detail.objectsByKind[kind].length})
            </Typography>
            <SimpleTable
              label={`${kind} objects`}
              head={['Namespace', 'Name', 'Restored', 'Phase / node']}
              rows={detail.objectsByKind[kind].map(object => [
                object.namespace ?? '(cluster)',
                object.name,
                object.restorable ? 'yes' : 'no (recorded for search)',
                [object.phase, object.node].filter(Boolean).join(' on ') || '—',
              ])}
            />
          </Box>
        ))}
      </Section>
      <Section id="kube-backup-detail-images" title={`Images (${detail.images.length})`}>
        {detail.images.length === 0 ? (
          <Typography>No images recorded.</Typography>
        ) : (
          <SimpleTable
            label="Images"
            head={['Container', 'Image', 'Digest']}
            rows={detail.images.map(image => [
              image.container,
              image.image,
              image.digest ? (
                <code>{image.digest}</code>
              ) : (
                <span title="The pod status did not report a digest: it is not verified">
                  unknown
                </span>
              ),
            ])}
          />
        )}
      </Section>
      <Section id="kube-backup-detail-volumes" title={`Volumes (${detail.volumes.length})`}>
        {detail.volumes.length === 0 ? (
          <Typography>No volume claims in this snapshot.</Typography>
        ) : (
          <SimpleTable
            label="Volumes"
            head={[
              'Namespace',
              'Claim',
              'Claim size',
              'Method',
              'Consistency',
              'Data',
              ...(props.onBrowse ? ['Files'] : []),
            ]}
            rows={detail.volumes.map(volume => [
              volume.namespace,
              volume.claim,
              volume.size ?? 'unknown',
              volume.data?.method ?? '—',
              volume.data?.status === 'captured' ? consistencyText(volume.data) : '—',
              dataText(volume.data),
              ...(props.onBrowse
                ? [
                    volume.data?.status === 'captured' ? (
                      <Button
                        size="small"
                        variant="outlined"
                        aria-label={`Browse files of ${volume.namespace}/${volume.claim}`}
                        onClick={() => props.onBrowse?.(volume)}
                      >
                        Browse files
                      </Button>
                    ) : (
                      '—'
                    ),
                  ]
                : []),
            ])}
          />
        )}
      </Section>
      <Section id="kube-backup-detail-errors" title={`Errors (${detail.errors.length})`}>
        {detail.errors.length === 0 ? (
          <Typography>None: everything selected was captured.</Typography>
        ) : (
          <SimpleTable
            label="Errors"
            head={['What', 'Message']}
            rows={detail.errors.map(error => [
              [error.resource, error.namespace, error.name].filter(Boolean).join(' / ') || '—',
              error.message,
            ])}
          />
        )}
      </Section>
    </>
  );
}

/** What became of a claim's data, as the Data column says it. */
function dataText(data: SnapshotVolume['data']): string {
  if (!data) return 'unknown: taken before volume data was recorded';
  if (data.status === 'not-captured')
    return `data not captured${data.reason ? `: ${data.reason}` : ''}`;
  if (data.status === 'failed')
    return `failed: ${(data.errors ?? []).join('; ') || 'no reason given'}`;
  return `${formatBytes(data.bytes)} in ${plural(data.files ?? 0, 'file')}${data.errors?.length ? `; ${data.errors.join('; ')}` : ''}`;
}

function consistencyText(data: NonNullable<SnapshotVolume['data']>): string {
  if (data.consistency !== 'application') return 'crash-consistent';
  const pre = data.hooks?.find(hook => hook.phase === 'pre');
  return `application-consistent${pre ? ` (pre-backup hook in ${pre.pod})` : ''}`;
}

/**
 * One snapshot's content: objects by kind, images and digests, volumes (each claim's files
 * browsable), errors.
 */
export function SnapshotDetailDialog(props: {
  entityRef: string;
  owners: string[];
  snapshot: SnapshotSummary;
  onClose(): void;
  /** A files restore was requested from this snapshot. */
  onRequested?(request: RestoreRequest): void;
}) {
  const api = useApi(kubeBackupApiRef);
  const state = useLoad(
    () => api.getSnapshot(props.entityRef, props.snapshot.id),
    [api, props.entityRef, props.snapshot.id],
  );
  const [browsing, setBrowsing] = useState<SnapshotVolume>();
  return (
    <Dialog
      open
      onClose={props.onClose}
      maxWidth="md"
      fullWidth
      aria-labelledby="kube-backup-detail-title"
    >
      <DialogTitle id="kube-backup-detail-title">Snapshot {shortId(props.snapshot.id)}</DialogTitle>
      <DialogContent>
        {state.loading && <Progress />}
        {!state.loading && state.error !== undefined && (
          <KubeBackupErrorPanel
            error={state.error}
            action={{ kind: 'load', what: 'this snapshot' }}
          />
        )}
        {!state.loading && state.value && (
          <SnapshotDetailView detail={state.value} onBrowse={setBrowsing} />
        )}
        {browsing && state.value && (
          <VolumeFilesDialog
            entityRef={props.entityRef}
            owners={props.owners}
            volume={{
              snapshotId: state.value.id,
              namespace: browsing.namespace,
              claim: browsing.claim,
            }}
            claims={state.value.volumes
              .filter(volume => volume.namespace === browsing.namespace)
              .map(volume => volume.claim)}
            onClose={() => setBrowsing(undefined)}
            onRequested={props.onRequested}
          />
        )}
        {!state.loading && !state.error && state.value && (
          <Typography variant="caption" color="textSecondary">
            {plural(state.value.restorableCount, 'object')} would be restored.
          </Typography>
        )}
      </DialogContent>
      <DialogActions>
        <Button onClick={props.onClose}>Close</Button>
      </DialogActions>
    </Dialog>
  );
}
