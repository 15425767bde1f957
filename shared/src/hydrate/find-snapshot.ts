import { loadRecords } from '../catalog/snapshot-records';
import { UserError } from '../errors';
import type { ObjectRecord, Snapshot } from '../snapshot/types';
import { componentTest } from './components';
import type { ComponentChoice, HydrateSource } from './types';

export interface ChosenSnapshot {
  snapshot: Snapshot;
  records: ObjectRecord[];
  sourceNamespace: string;
}

/**
 * The snapshot to hydrate from and the namespace to take the components from: the given
 * snapshot, or the newest complete one that holds the chosen components (in the source
 * namespace, when one is named).
 */
export async function chooseSnapshot(
  source: HydrateSource,
  choice: ComponentChoice,
  options: { snapshot?: string | Snapshot; sourceNamespace?: string },
): Promise<ChosenSnapshot> {
  const what = describeChoice(choice, options.sourceNamespace);
  if (!choice.entity && !choice.tag && !choice.labelSelector && !options.sourceNamespace) {
    throw new UserError(
      'invalid-argument',
      'nothing chosen to hydrate: name the components (an entity, a tag or a label selector) or the namespace to copy',
      { input: 'components' },
    );
  }
  if (options.snapshot) {
    const snapshot =
      typeof options.snapshot === 'string'
        ? await source.getSnapshot(options.snapshot)
        : options.snapshot;
    const records = await loadRecords(source, snapshot);
    const sourceNamespace = sourceNamespaceOf(records, choice, options.sourceNamespace);
    if (!sourceNamespace) {
      throw new UserError('not-found', `snapshot ${snapshot.id.slice(0, 8)} holds no ${what}`);
    }
    return { snapshot, records, sourceNamespace };
  }
  const candidates = (await source.listSnapshots())
    .filter(
      snapshot =>
        snapshot.status === 'complete' &&
        (!options.sourceNamespace || snapshot.namespaces.includes(options.sourceNamespace)) &&
        (!choice.entity || snapshot.entities.includes(choice.entity)),
    )
    .sort((a, b) => b.time.localeCompare(a.time));
  const cache = new Map<string, Promise<ObjectRecord[]>>();
  for (const snapshot of candidates) {
    const records = await loadRecords(source, snapshot, cache);
    const sourceNamespace = sourceNamespaceOf(records, choice, options.sourceNamespace);
    if (sourceNamespace) return { snapshot, records, sourceNamespace };
  }
  throw new UserError('not-found', `no complete snapshot holds ${what}`);
}

/**
 * The namespace the chosen components live in, or undefined when the records hold none of
 * them. Components spread over several namespaces need the user to pick one.
 */
function sourceNamespaceOf(
  records: ObjectRecord[],
  choice: ComponentChoice,
  requested: string | undefined,
): string | undefined {
  const test = componentTest(choice);
  const namespaces = new Set(
    records
      .filter(
        record => record.namespace !== undefined && (!requested || record.namespace === requested),
      )
      .filter(record => test(record.labels, undefined, record))
      .map(record => record.namespace as string),
  );
  if (namespaces.size === 0) return undefined;
  if (namespaces.size > 1) {
    throw new UserError(
      'ambiguous',
      `the ${describeChoice(choice)} live in more than one namespace: ${[...namespaces].sort().join(', ')}`,
      { input: 'sourceNamespace' },
    );
  }
  return [...namespaces][0];
}

function describeChoice(choice: ComponentChoice, namespace?: string): string {
  const parts = [
    choice.entity && `entity "${choice.entity}"`,
    choice.tag && `tag "${choice.tag}"`,
    choice.labelSelector && `selector "${choice.labelSelector}"`,
  ].filter(Boolean);
  const components = parts.length > 0 ? `components with ${parts.join(' and ')}` : 'objects';
  return namespace ? `${components} in namespace "${namespace}"` : components;
}
