import type { KubeClient } from '../cluster/kube-client';
import { KubeApiError } from '../cluster/kube-api-error';
import type { Discovery } from '../cluster/discovery';
import { apiVersionOf } from '../cluster/resource-types';
import { UserError } from '../errors';
import { objectLabel } from './object-label';
import { storageClassesOf } from './transforms/storage-class';
import { crdNameOf, definitionsAmong, isCustomResource } from './tiers';
import type { PlannedObject } from './types';

export interface TargetCheckResult {
  /** Objects the target cannot take, with the reason: they fail without a request. */
  unserved: Map<PlannedObject, string>;
  warnings: string[];
}

/**
 * What must hold in the target before anything is written: every storage class a claim or
 * volume asks for exists there (or comes with the restore) unless the source lacked it at
 * capture too (then its claims stay Pending, as they were, and a warning says so), and
 * every custom resource's definition is in the restore or already served. A failure stops the restore with a
 * message that names the fix. Built-in types the target does not serve (an API removed in
 * its version) are returned for per-object failure instead, so the rest can proceed.
 */
export async function checkTarget(
  client: KubeClient,
  discovery: Discovery,
  objects: readonly PlannedObject[],
  storageClassesAbsentAtSource: readonly string[] = [],
): Promise<TargetCheckResult> {
  const warnings: string[] = [];
  await checkStorageClasses(client, objects, new Set(storageClassesAbsentAtSource), warnings);

  const served = new Set(
    discovery.types.map(type => `${type.group}/${type.version}/${type.resource}`),
  );
  const servedResources = new Set(discovery.types.map(type => `${type.group}/${type.resource}`));
  const plannedCrds = definitionsAmong(objects);
  const unserved = new Map<PlannedObject, string>();
  const missingCrds = new Map<string, PlannedObject>();
  for (const planned of objects) {
    const { type } = planned;
    if (served.has(`${type.group}/${type.version}/${type.resource}`)) continue;
    if (isCustomResource(type) && plannedCrds.has(crdNameOf(type))) continue;
    if (isCustomResource(type) && !servedResources.has(`${type.group}/${type.resource}`)) {
      if (!missingCrds.has(crdNameOf(type))) missingCrds.set(crdNameOf(type), planned);
      continue;
    }
    unserved.set(
      planned,
      `${apiVersionOf(type.group, type.version)} ${type.kind} is not served by the target cluster`,
    );
  }
  if (missingCrds.size > 0) {
    const [name, example] = [...missingCrds][0];
    const others = missingCrds.size > 1 ? ` (and ${missingCrds.size - 1} more definition(s))` : '';
    throw new UserError(
      'not-found',
      `${objectLabel(example)} needs CustomResourceDefinition ${name}, which is neither in the snapshot nor in the target cluster${others}; install it first or restore it from a snapshot that has it`,
    );
  }
  return { unserved, warnings };
}

async function checkStorageClasses(
  client: KubeClient,
  objects: readonly PlannedObject[],
  absentAtSource: ReadonlySet<string>,
  warnings: string[],
): Promise<void> {
  const wanted = new Map<string, PlannedObject>();
  for (const planned of objects) {
    for (const name of storageClassesOf(planned.object)) {
      if (!wanted.has(name)) wanted.set(name, planned);
    }
  }
  if (wanted.size === 0) return;
  const restored = new Set(
    objects
      .filter(({ type }) => type.group === 'storage.k8s.io' && type.kind === 'StorageClass')
      .map(({ object }) => object.metadata.name),
  );
  let existing: string[];
  try {
    const list = await client.request<{ items?: Array<{ metadata: { name: string } }> }>({
      method: 'GET',
      path: '/apis/storage.k8s.io/v1/storageclasses',
    });
    existing = (list.items ?? []).map(item => item.metadata.name);
  } catch (error) {
    if (!(error instanceof KubeApiError)) throw error;
    warnings.push(`storage classes not checked: ${error.message}`);
    return;
  }
  const available = new Set(existing);
  const absent = [...wanted].filter(([name]) => !available.has(name) && !restored.has(name));
  for (const [name, user] of absent.filter(([name]) => absentAtSource.has(name))) {
    warnings.push(
      `storage class "${name}" (used by ${objectLabel(user)}) is not in the target cluster and was not in the source cluster at capture either: its claims stay Pending, as they were there`,
    );
  }
  const missing = absent.filter(([name]) => !absentAtSource.has(name));
  if (missing.length === 0) return;
  const [name, user] = missing[0];
  const others =
    missing.length > 1
      ? `; also missing: ${missing
          .slice(1)
          .map(([other]) => other)
          .join(', ')}`
      : '';
  const choices = existing.length > 0 ? ` (the target has: ${existing.sort().join(', ')})` : '';
  throw new UserError(
    'not-found',
    `storage class "${name}" (used by ${objectLabel(user)}) does not exist in the target cluster${choices}${others}`,
    { storageClass: name },
  );
}
