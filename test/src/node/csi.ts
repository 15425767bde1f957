/**
 * The node's storage drivers, as their controllers and node plugins act on disk:
 * `hostpath.csi.k8s.io` (the CSI hostpath driver: volumes, snapshots and clones as
 * directories) and `rancher.io/local-path` (kind's default provisioner: hostPath volumes,
 * no snapshots). A snapshot copies the volume while every container that mounts it is
 * paused, so it holds exactly the data of that instant.
 */
import { randomUUID } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { isObject, type JsonObject } from '../server/json';
import type { NodeContext } from './context';
import { hostOrThrow } from './runc';

export const CSI_DRIVER = 'hostpath.csi.k8s.io';
export const LOCAL_PATH_PROVISIONER = 'rancher.io/local-path';
export const PROVISIONERS = [CSI_DRIVER, LOCAL_PATH_PROVISIONER];

/** Pauses the containers that mount a host path; resolves with a function resuming them. */
export type FreezeWriters = (path: string) => Promise<() => Promise<void>>;

/** A volume's directory, for a CSI source of this node's driver. */
export function volumePath(ctx: NodeContext, csi: JsonObject): string | undefined {
  if (csi.driver !== CSI_DRIVER || typeof csi.volumeHandle !== 'string') return undefined;
  return join(ctx.workdir.volumes, csi.volumeHandle);
}

export function snapshotPath(ctx: NodeContext, snapshotHandle: string): string {
  return join(ctx.workdir.snapshots, snapshotHandle);
}

/** A new, empty volume directory, or a copy of `from` (a snapshot or another volume). */
export async function createVolume(
  ctx: NodeContext,
  handle: string,
  from?: string,
): Promise<string> {
  const dir = join(ctx.workdir.volumes, handle);
  await mkdir(dir, { recursive: true });
  if (from) await copyTree(from, dir);
  return dir;
}

export async function deleteVolume(ctx: NodeContext, handle: string): Promise<void> {
  await rm(join(ctx.workdir.volumes, handle), { recursive: true, force: true, maxRetries: 3 });
}

export interface SnapshotResult {
  snapshotHandle: string;
  /** Nanoseconds since the epoch, as CSI reports creation times. */
  creationTime: number;
}

export async function createSnapshot(
  ctx: NodeContext,
  volumeDir: string,
  freeze: FreezeWriters,
): Promise<SnapshotResult> {
  const snapshotHandle = randomUUID();
  const dir = snapshotPath(ctx, snapshotHandle);
  await mkdir(dir, { recursive: true });
  const resume = await freeze(volumeDir);
  const creationTime = Date.now() * 1_000_000;
  try {
    await copyTree(volumeDir, dir);
  } finally {
    await resume();
  }
  return { snapshotHandle, creationTime };
}

export async function deleteSnapshot(ctx: NodeContext, snapshotHandle: string): Promise<void> {
  await rm(snapshotPath(ctx, snapshotHandle), { recursive: true, force: true });
}

async function copyTree(from: string, to: string): Promise<void> {
  if (!existsSync(from)) throw new Error(`${from} does not exist`);
  await hostOrThrow('cp', ['-a', `${from}/.`, to]);
}

export function isCsiSource(value: unknown): value is JsonObject {
  return isObject(value) && typeof value.driver === 'string';
}
