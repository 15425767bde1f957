import type { ClusterConnection, Repository, Snapshot } from '@kube-backup/core';
import * as core from '@kube-backup/core';

export type EngineLog = (level: 'info' | 'warn' | 'error', message: string) => void;

interface EngineCall {
  connection: ClusterConnection;
  repository: Repository;
  snapshot: Snapshot;
  /** The entity's `backstage.io/kubernetes-id`, when it has one. */
  entityId?: string;
  /** The entity's label selector annotation, when it has one. */
  labelSelector?: string;
  sourceNamespaces?: string[];
  includeSecrets: boolean;
  onProgress: (fraction: number | undefined, message: string) => void;
  log: EngineLog;
}

export interface HydrateCall extends EngineCall {
  targetNamespace: string;
  protectedNamespaces: string[];
}

export interface RestoreCall extends EngineCall {
  /** `kind/name` objects; default everything restorable of the entity. */
  objects?: string[];
}

/** What the backend asks of core; every real piece of work happens there. */
export interface KubeBackupEngine {
  hydrate(call: HydrateCall): Promise<Record<string, unknown>>;
  restore(call: RestoreCall): Promise<Record<string, unknown>>;
}

export class EngineUnavailableError extends Error {
  constructor(what: string) {
    super(`this version of @kube-backup/core has no ${what} function; upgrade the backend`);
    this.name = 'EngineUnavailableError';
  }
}

/** A core export looked up by name, so the backend builds against cores that lack it. */
function coreFunction(...names: string[]): ((...args: unknown[]) => Promise<unknown>) | undefined {
  const exports = core as unknown as Record<string, unknown>;
  for (const name of names) {
    if (typeof exports[name] === 'function')
      return exports[name] as (...args: unknown[]) => Promise<unknown>;
  }
  return undefined;
}

/** The engine over @kube-backup/core's hydrate and restore functions. */
export const coreEngine: KubeBackupEngine = {
  async hydrate() {
    if (!coreFunction('hydrateSnapshot', 'hydrate')) throw new EngineUnavailableError('hydrate');
    throw new EngineUnavailableError('hydrate binding');
  },
  async restore() {
    if (!coreFunction('restoreSnapshot', 'restore')) throw new EngineUnavailableError('restore');
    throw new EngineUnavailableError('restore binding');
  },
};
