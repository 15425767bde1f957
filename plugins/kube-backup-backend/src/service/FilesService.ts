import { NotFoundError } from '@backstage/errors';
import {
  MAX_FILE_SEARCH_RESULTS,
  type VolumeFileEntry,
  type VolumeFileSearch,
  type VolumeFolder,
} from '@kube-backup/backstage-plugin-kube-backup-common';
import {
  copyOut,
  listFiles,
  openResticReader,
  volumeAt,
  type ResticReader,
  type VolumeAtSnapshot,
  type VolumeDataSettings,
} from '@kube-backup/core';
import { Writable } from 'node:stream';
import type { AccessPolicy, EntityContext } from './AccessPolicy';
import type { ClusterService } from './ClusterService';
import type { EntityResolver } from './EntityResolver';
import type { SnapshotService } from './SnapshotService';

/** One of an entity's claims in one of its snapshots, as a route names it. */
export interface VolumeRef {
  snapshotId: string;
  namespace: string;
  claim: string;
}

/** Where a download goes: told what it is first (to set its headers), then its bytes. */
export interface DownloadTarget {
  begin(entry: VolumeFileEntry): void;
  out: Writable;
}

/**
 * Single files of an entity's volumes as its snapshots hold them: a folder at a time, a
 * search by name, and a file (or a folder as tar) streamed out. Only the entity's own claims
 * are reachable; reading needs kube-backup.snapshots.read, downloading kube-backup.files.read
 * as the access policy decides it. The work is core's (listFiles, copyOut).
 */
export class FilesService {
  constructor(
    private readonly deps: {
      policy: AccessPolicy;
      entities: EntityResolver;
      snapshots: SnapshotService;
      clusters: ClusterService;
      volumes: VolumeDataSettings;
      /** Where restic runs when this host has none: a mover pod in this cluster. */
      productionCluster?: string;
    },
  ) {}

  /** The entries of one folder (the root by default), folders first. */
  async list(context: EntityContext, ref: VolumeRef, path = '/'): Promise<VolumeFolder> {
    const volume = await this.volume(context, ref);
    const entries = await this.withReader(volume, reader => listFiles(reader, volume, path));
    const folder = entries.length === 1 && entries[0].type === 'file' ? entries[0].path : path;
    return {
      ...where(volume),
      path: folder,
      entries: entries.map(toEntry).sort(foldersFirst),
      canDownload: await this.deps.policy.mayReadFiles(context),
    };
  }

  /**
   * Entries below a folder whose name holds `name` (case-insensitive), the first
   * MAX_FILE_SEARCH_RESULTS by path.
   */
  async search(
    context: EntityContext,
    ref: VolumeRef,
    name: string,
    path = '/',
  ): Promise<VolumeFileSearch> {
    const volume = await this.volume(context, ref);
    const needle = name.toLowerCase();
    const all = await this.withReader(volume, reader =>
      listFiles(reader, volume, path, { recursive: true }),
    );
    const matching = all.filter(entry => entry.name.toLowerCase().includes(needle));
    return {
      ...where(volume),
      entries: matching
        .slice(0, MAX_FILE_SEARCH_RESULTS)
        .map(toEntry)
        .sort((a, b) => a.path.localeCompare(b.path)),
      truncated: matching.length > MAX_FILE_SEARCH_RESULTS,
      canDownload: await this.deps.policy.mayReadFiles(context),
    };
  }

  /**
   * Streams a file's bytes, or a folder as tar, into the target, after checking the caller
   * may download. Returns what was sent.
   */
  async download(
    context: EntityContext,
    ref: VolumeRef,
    path: string,
    target: DownloadTarget,
  ): Promise<{ path: string; type: VolumeFileEntry['type']; bytes: number }> {
    await this.deps.policy.checkFilesRead(context);
    const volume = await this.volume(context, ref);
    const sink = countingInto(target.out);
    const entry = await this.withReader(volume, reader =>
      copyOut(reader, volume, path, sink.writable, found => target.begin(toEntry(found))),
    );
    // A download the client left is not a file fetched: the audit log says so.
    if (sink.dropped()) {
      throw new Error(`the client left after ${sink.bytes()} bytes of ${entry.path}`);
    }
    return { path: entry.path, type: entry.type, bytes: sink.bytes() };
  }

  /** The entity's claim's captured data in the snapshot; 404 when the claim is not its. */
  private async volume(context: EntityContext, ref: VolumeRef): Promise<VolumeAtSnapshot> {
    const { entities, snapshots } = this.deps;
    const scope = entities.requireScope(context);
    const snapshot = await snapshots.entitySnapshot(scope, ref.snapshotId);
    const volumes = await snapshots.entityVolumes(scope, snapshot);
    if (!volumes.some(v => v.namespace === ref.namespace && v.claim === ref.claim)) {
      throw new NotFoundError(
        `snapshot ${snapshot.id.slice(0, 12)} holds no claim ${ref.namespace}/${ref.claim} of ${context.entityRef}`,
      );
    }
    return volumeAt(snapshot, ref.namespace, ref.claim);
  }

  /**
   * Runs reading with restic on this host, or else in a mover pod of the production cluster
   * in the claim's namespace; stops what it started either way.
   */
  private async withReader<T>(
    volume: VolumeAtSnapshot,
    work: (reader: ResticReader) => Promise<T>,
  ): Promise<T> {
    const { clusters, snapshots, productionCluster } = this.deps;
    const connections: Array<{ client: { close(): void } }> = [];
    const reader = await openResticReader({
      repository: await snapshots.repository(),
      settings: this.deps.volumes,
      cluster: productionCluster
        ? async () => {
            const connection = await clusters.connect(productionCluster);
            connections.push(connection);
            return { connection, namespace: volume.namespace };
          }
        : undefined,
    }).catch(error => {
      for (const connection of connections) connection.client.close();
      throw error;
    });
    try {
      return await work(reader);
    } finally {
      await reader.close();
      for (const connection of connections) connection.client.close();
    }
  }
}

function where(volume: VolumeAtSnapshot) {
  return { snapshotId: volume.snapshotId, namespace: volume.namespace, claim: volume.claim };
}

function toEntry(entry: VolumeFileEntry): VolumeFileEntry {
  return {
    path: entry.path,
    name: entry.name,
    type: entry.type,
    ...(entry.size !== undefined ? { size: entry.size } : {}),
    permissions: entry.permissions,
    uid: entry.uid,
    gid: entry.gid,
    mtime: entry.mtime,
  };
}

function foldersFirst(a: VolumeFileEntry, b: VolumeFileEntry): number {
  const folder = (entry: VolumeFileEntry) => (entry.type === 'dir' ? 0 : 1);
  return folder(a) - folder(b) || a.name.localeCompare(b.name);
}

/**
 * A writable passing chunks on to `out` with its backpressure, counting what `out` took.
 * Once `out` is gone (the client left), the rest is dropped so restic runs to its end
 * rather than waiting on a reader that will never read.
 */
function countingInto(out: Writable) {
  let bytes = 0;
  let dropped = false;
  const writable = new Writable({
    write(chunk: Buffer, _encoding, callback) {
      if (out.destroyed || out.writableEnded) {
        dropped = true;
        return callback();
      }
      bytes += chunk.length;
      if (out.write(chunk)) return callback();
      const resume = () => {
        out.off('drain', resume);
        out.off('close', resume);
        callback();
      };
      out.on('drain', resume);
      out.on('close', resume);
    },
  });
  return { writable, bytes: () => bytes, dropped: () => dropped };
}
