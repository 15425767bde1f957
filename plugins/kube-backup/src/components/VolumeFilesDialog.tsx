import { Progress } from '@backstage/core-components';
import { useApi } from '@backstage/core-plugin-api';
import type {
  RestoreRequest,
  VolumeFileEntry,
  VolumeFileSearch,
} from '@kube-backup/backstage-plugin-kube-backup-common';
import Box from '@material-ui/core/Box';
import Button from '@material-ui/core/Button';
import Checkbox from '@material-ui/core/Checkbox';
import Dialog from '@material-ui/core/Dialog';
import DialogActions from '@material-ui/core/DialogActions';
import DialogContent from '@material-ui/core/DialogContent';
import DialogTitle from '@material-ui/core/DialogTitle';
import IconButton from '@material-ui/core/IconButton';
import TextField from '@material-ui/core/TextField';
import Typography from '@material-ui/core/Typography';
import ChevronRight from '@material-ui/icons/ChevronRight';
import ExpandMore from '@material-ui/icons/ExpandMore';
import GetApp from '@material-ui/icons/GetApp';
import TreeItem from '@material-ui/lab/TreeItem';
import TreeView from '@material-ui/lab/TreeView';
import { useCallback, useEffect, useMemo, useState } from 'react';
import { kubeBackupApiRef } from '../api/ref';
import type { VolumeRef } from '../api/types';
import { KubeBackupErrorPanel } from './ErrorPanel';
import { FilesRestoreForm } from './FilesRestoreForm';
import { absoluteTime, formatBytes, plural, shortId } from './format';
import { saveFile } from './saveFile';

/** A folder of the tree: not asked for yet, on its way, there, or refused. */
type FolderState =
  | { loading: true }
  | { loading?: false; entries: VolumeFileEntry[] }
  | { loading?: false; error: unknown };

/** Stops a click inside a tree row from also opening or closing the folder. */
const insideRow = (event: React.SyntheticEvent) => event.stopPropagation();

/** A file's or folder's line: choose it, what it is, and download it. */
function EntryLine(props: {
  entry: VolumeFileEntry;
  selected: boolean;
  onSelect(selected: boolean): void;
  canDownload: boolean;
  onDownload(): void;
  showPath?: boolean;
}) {
  const { entry } = props;
  const downloadable = props.canDownload && (entry.type === 'file' || entry.type === 'dir');
  return (
    <Box display="flex" alignItems="center" style={{ gap: 12 }} data-path={entry.path}>
      <Checkbox
        size="small"
        // A row that mounts while its folder opens may take focus before its ripple exists.
        disableRipple
        checked={props.selected}
        onClick={insideRow}
        onChange={event => props.onSelect(event.target.checked)}
        inputProps={{ 'aria-label': `Choose ${entry.path}` }}
      />
      <Typography variant="body2" style={{ flex: 1, fontFamily: 'monospace' }}>
        {props.showPath ? entry.path : entry.name}
        {entry.type === 'dir' ? '/' : ''}
        {entry.type === 'symlink' ? ' (link)' : ''}
      </Typography>
      <Typography variant="caption" style={{ width: 80, textAlign: 'right' }}>
        {entry.type === 'file' ? formatBytes(entry.size) : ''}
      </Typography>
      <Typography variant="caption" style={{ fontFamily: 'monospace' }}>
        {entry.permissions} {entry.uid}:{entry.gid}
      </Typography>
      <Typography variant="caption" style={{ width: 170 }}>
        {absoluteTime(entry.mtime)}
      </Typography>
      {downloadable && (
        <IconButton
          size="small"
          aria-label={`Download ${entry.path}${entry.type === 'dir' ? ' as tar' : ''}`}
          onClick={event => {
            insideRow(event);
            props.onDownload();
          }}
        >
          <GetApp fontSize="small" />
        </IconButton>
      )}
    </Box>
  );
}

/**
 * One claim's files as a snapshot holds them: a tree loaded a folder at a time, a search by
 * name, downloads for those who may, and a restore request for the chosen paths.
 */
export function VolumeFilesDialog(props: {
  entityRef: string;
  owners: string[];
  volume: VolumeRef;
  /** The entity's claims in the volume's namespace, where chosen files may go back. */
  claims: string[];
  onClose(): void;
  onRequested?(request: RestoreRequest): void;
}) {
  const api = useApi(kubeBackupApiRef);
  const { entityRef } = props;
  const { snapshotId, namespace, claim } = props.volume;
  const volume = useMemo(() => ({ snapshotId, namespace, claim }), [snapshotId, namespace, claim]);
  const [folders, setFolders] = useState<Record<string, FolderState>>({});
  const [expanded, setExpanded] = useState<string[]>([]);
  const [chosen, setChosen] = useState<string[]>([]);
  const [canDownload, setCanDownload] = useState(false);
  const [search, setSearch] = useState('');
  const [found, setFound] = useState<{ result?: VolumeFileSearch; error?: unknown }>();
  const [downloadError, setDownloadError] = useState<{ path: string; error: unknown }>();
  const [restoring, setRestoring] = useState(false);

  const load = useCallback(
    (path: string) => {
      setFolders(current => ({ ...current, [path]: { loading: true } }));
      api.listFiles(entityRef, volume, path).then(
        folder => {
          setCanDownload(folder.canDownload);
          setFolders(current => ({ ...current, [path]: { entries: folder.entries } }));
        },
        error => setFolders(current => ({ ...current, [path]: { error } })),
      );
    },
    [api, entityRef, volume],
  );
  useEffect(() => load('/'), [load]);

  const toggle = (_event: React.ChangeEvent<unknown>, ids: string[]) => {
    // A folder is asked for when first opened, and again when opened after it failed.
    for (const id of ids) {
      const state = folders[id];
      if (!expanded.includes(id) && (!state || 'error' in state)) load(id);
    }
    setExpanded(ids);
  };
  const choose = (path: string, selected: boolean) =>
    setChosen(current =>
      selected
        ? [...current.filter(other => other !== path), path]
        : current.filter(p => p !== path),
    );
  const download = (path: string) => {
    setDownloadError(undefined);
    api
      .downloadFile(entityRef, volume, path)
      .then(saveFile, error => setDownloadError({ path, error }));
  };
  const runSearch = () => {
    setFound({});
    api.searchFiles(entityRef, volume, search.trim()).then(
      result => {
        setCanDownload(result.canDownload);
        setFound({ result });
      },
      error => setFound({ error }),
    );
  };
  const line = (entry: VolumeFileEntry, showPath = false) => (
    <EntryLine
      entry={entry}
      selected={chosen.includes(entry.path)}
      onSelect={selected => choose(entry.path, selected)}
      canDownload={canDownload}
      onDownload={() => download(entry.path)}
      showPath={showPath}
    />
  );

  const renderFolder = (path: string): React.ReactNode => {
    const state = folders[path];
    if (!state || state.loading) {
      return <TreeItem nodeId={`${path}\u0000loading`} label="Loading…" />;
    }
    if ('error' in state) {
      return (
        <TreeItem
          nodeId={`${path}\u0000error`}
          label={<KubeBackupErrorPanel error={state.error} action={{ kind: 'load', what: path }} />}
        />
      );
    }
    if (state.entries.length === 0) {
      return <TreeItem nodeId={`${path}\u0000empty`} label="(empty)" />;
    }
    return state.entries.map(entry => (
      <TreeItem key={entry.path} nodeId={entry.path} label={line(entry)}>
        {entry.type === 'dir' ? renderFolder(entry.path) : undefined}
      </TreeItem>
    ));
  };

  const root = folders['/'];
  const title = `Files of ${volume.namespace}/${volume.claim} in snapshot ${shortId(volume.snapshotId)}`;
  return (
    <Dialog
      open
      onClose={props.onClose}
      maxWidth="lg"
      fullWidth
      aria-labelledby="kube-backup-files-title"
    >
      <DialogTitle id="kube-backup-files-title">{title}</DialogTitle>
      <DialogContent>
        {restoring ? (
          <FilesRestoreForm
            entityRef={entityRef}
            owners={props.owners}
            volume={volume}
            paths={chosen}
            claims={props.claims}
            onCancel={() => setRestoring(false)}
            onRequested={props.onRequested}
          />
        ) : (
          <>
            <Box display="flex" alignItems="center" style={{ gap: 8 }} mb={2}>
              <TextField
                id="kube-backup-files-search"
                label="Search by name"
                value={search}
                onChange={event => setSearch(event.target.value)}
                onKeyDown={event => event.key === 'Enter' && search.trim() && runSearch()}
              />
              <Button variant="outlined" disabled={!search.trim()} onClick={runSearch}>
                Search
              </Button>
              {found && <Button onClick={() => setFound(undefined)}>Show the folders again</Button>}
            </Box>
            {downloadError && (
              <KubeBackupErrorPanel
                error={downloadError.error}
                action={{
                  kind: 'download',
                  path: downloadError.path,
                  entityRef,
                  owners: props.owners,
                }}
              />
            )}
            {found ? (
              <Box component="section" aria-label="Search results">
                {!found.result && found.error === undefined && <Progress />}
                {found.error !== undefined && (
                  <KubeBackupErrorPanel
                    error={found.error}
                    action={{ kind: 'load', what: 'the search results' }}
                  />
                )}
                {found.result && (
                  <>
                    <Typography variant="body2">
                      {plural(found.result.entries.length, 'match', 'matches')}
                      {found.result.truncated ? ' shown; there are more: narrow the search' : ''}
                    </Typography>
                    <ul style={{ listStyle: 'none', padding: 0 }}>
                      {found.result.entries.map(entry => (
                        <li key={entry.path}>{line(entry, true)}</li>
                      ))}
                    </ul>
                  </>
                )}
              </Box>
            ) : (
              <>
                {(!root || root.loading) && <Progress />}
                {root && 'error' in root && (
                  <KubeBackupErrorPanel
                    error={root.error}
                    action={{ kind: 'load', what: 'the files of this claim' }}
                  />
                )}
                {root && 'entries' in root && (
                  <TreeView
                    aria-label={`Files of ${volume.claim}`}
                    expanded={expanded}
                    onNodeToggle={toggle}
                    defaultCollapseIcon={<ExpandMore />}
                    defaultExpandIcon={<ChevronRight />}
                  >
                    {renderFolder('/')}
                  </TreeView>
                )}
              </>
            )}
            {!canDownload && root && 'entries' in root && (
              <Typography variant="caption" color="textSecondary">
                Downloads are for owners of {entityRef} and those granted kube-backup.files.read for
                it.
              </Typography>
            )}
          </>
        )}
      </DialogContent>
      <DialogActions>
        {!restoring && (
          <Button
            color="primary"
            variant="contained"
            disabled={chosen.length === 0}
            onClick={() => setRestoring(true)}
          >
            Restore these files{chosen.length > 0 ? ` (${chosen.length})` : ''}
          </Button>
        )}
        <Button onClick={props.onClose}>Close</Button>
      </DialogActions>
    </Dialog>
  );
}
