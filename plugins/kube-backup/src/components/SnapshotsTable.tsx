import { Table, type TableColumn } from '@backstage/core-components';
import type { SnapshotSummary } from '@kube-backup/backstage-plugin-kube-backup-common';
import Box from '@material-ui/core/Box';
import Button from '@material-ui/core/Button';
import Chip from '@material-ui/core/Chip';
import Typography from '@material-ui/core/Typography';
import { absoluteTime, formatBytes, shortId } from './format';
import { SnapshotStatus } from './SnapshotStatus';
import { Time } from './Time';

/** The snapshot's size when the backend knows it (`sizeBytes`); otherwise unknown. */
function sizeOf(snapshot: SnapshotSummary): number | undefined {
  return typeof snapshot.sizeBytes === 'number' ? snapshot.sizeBytes : undefined;
}

export interface SnapshotsTableProps {
  snapshots: SnapshotSummary[];
  totalCount: number;
  canHydrate: boolean;
  onDetails(snapshot: SnapshotSummary): void;
  onHydrate(snapshot: SnapshotSummary): void;
  onRequestRestore(snapshot: SnapshotSummary): void;
}

// Short cells that read badly broken over two lines (a status, "3 minutes ago", buttons).
const NO_WRAP = { whiteSpace: 'nowrap' } as const;

export function SnapshotsTable(props: SnapshotsTableProps) {
  const { snapshots, totalCount, canHydrate } = props;
  const columns: TableColumn<SnapshotSummary>[] = [
    {
      title: 'Time',
      field: 'time',
      defaultSort: 'desc',
      cellStyle: NO_WRAP,
      customFilterAndSearch: (term: string, row) =>
        absoluteTime(row.time).toLowerCase().includes(String(term).toLowerCase()),
      render: row => <Time value={row.time} />,
    },
    {
      title: 'Source',
      field: 'cluster.name',
      customFilterAndSearch: (term: string, row) =>
        `${row.cluster.name} ${row.namespaces.join(' ')}`
          .toLowerCase()
          .includes(String(term).toLowerCase()),
      render: row => (
        <>
          <Typography variant="body2">{row.cluster.name}</Typography>
          <Typography variant="caption" color="textSecondary">
            {row.namespaces.length > 0 ? row.namespaces.join(', ') : 'no namespace'}
          </Typography>
        </>
      ),
    },
    {
      title: 'Status',
      field: 'status',
      cellStyle: NO_WRAP,
      render: row => <SnapshotStatus snapshot={row} />,
    },
    {
      title: 'Objects',
      field: 'objectCount',
      type: 'numeric',
      render: row => <span title={`${row.restorableCount} restorable`}>{row.objectCount}</span>,
    },
    { title: 'Volumes', field: 'volumeCount', type: 'numeric' },
    {
      title: 'Size',
      field: 'sizeBytes',
      type: 'numeric',
      filtering: false,
      customSort: (a, b) => (sizeOf(a) ?? -1) - (sizeOf(b) ?? -1),
      render: row => formatBytes(sizeOf(row)),
    },
    {
      title: 'Tags',
      field: 'tags',
      sorting: false,
      customFilterAndSearch: (term: string, row) =>
        row.tags.some(tag => tag.toLowerCase().includes(String(term).toLowerCase())),
      render: row =>
        row.tags.length === 0 ? (
          <Typography variant="caption" color="textSecondary">
            none
          </Typography>
        ) : (
          <Box display="flex" flexWrap="wrap" style={{ gap: 4 }}>
            {row.tags.map(tag => (
              <Chip key={tag} label={tag} size="small" />
            ))}
          </Box>
        ),
    },
    {
      title: 'Actions',
      sorting: false,
      filtering: false,
      searchable: false,
      cellStyle: NO_WRAP,
      render: row => (
        <Box display="flex" style={{ gap: 4 }}>
          <Button
            size="small"
            onClick={() => props.onDetails(row)}
            aria-label={`Details of snapshot ${shortId(row.id)}`}
          >
            Details
          </Button>
          {canHydrate && (
            <Button
              size="small"
              color="primary"
              onClick={() => props.onHydrate(row)}
              aria-label={`Hydrate from snapshot ${shortId(row.id)}`}
            >
              Hydrate
            </Button>
          )}
          <Button
            size="small"
            onClick={() => props.onRequestRestore(row)}
            aria-label={`Request restore of snapshot ${shortId(row.id)}`}
          >
            Restore…
          </Button>
        </Box>
      ),
    },
  ];
  const shown = snapshots.length;
  return (
    <Table<SnapshotSummary>
      title="Snapshots"
      subtitle={
        totalCount > shown
          ? `The newest ${shown} of ${totalCount} snapshots`
          : `${totalCount} snapshot${totalCount === 1 ? '' : 's'}`
      }
      columns={columns}
      data={snapshots}
      options={{
        paging: shown > 10,
        pageSize: 10,
        pageSizeOptions: [10, 25, 50, 100],
        search: true,
        filtering: true,
        sorting: true,
        padding: 'dense',
      }}
    />
  );
}
