import { BACKSTAGE_ID_LABEL } from '../capture/annotations';
import { podTemplateOf } from '../kubernetes-objects/pod-template';
import { parseObjectReference, recordMatches } from '../catalog/snapshot-records';
import { UserError } from '../errors';
import { matchesLabels, parseLabelSelector } from '../selectors/label-selector';
import type { KubeObject, ObjectRecord } from '../snapshot/types';
import { dependencyClosure } from './dependency-closure';
import type { DamagedObject, LoadedObject, SnapshotObjects } from './snapshot-objects';
import type { RecordSelection } from './types';

/** Whether a record is of a type as kubectl names it: `deploy`, `configmaps`, `Ingress.networking.k8s.io`. */
export function recordIsOfType(record: ObjectRecord, type: string): boolean {
  // recordMatches compares kinds the way kubectl does; the name is the record's own.
  return recordMatches(record, { kind: type, name: record.name });
}

const recordKey = (record: ObjectRecord) =>
  `${record.group}|${record.kind}|${record.namespace ?? ''}|${record.name}`;

/**
 * The snapshot objects a restore writes, chosen by the selection and loaded. Filters
 * intersect. Only restorable records are ever chosen: controller-made children come back
 * from their controllers. An entity brings what it depends on; namespaces bring the
 * cluster-scoped objects they depend on; label selectors and type filters are strict.
 */
export async function selectObjects(
  records: readonly ObjectRecord[],
  contents: SnapshotObjects,
  selection: RecordSelection,
  snapshotLabel: string,
  onLoad?: (done: number, total: number) => void,
): Promise<{ objects: LoadedObject[]; warnings: string[]; damaged: DamagedObject[] }> {
  const warnings: string[] = [];
  const restorable = records.filter(record => record.restorable && record.content);
  let chosen = new Set<ObjectRecord>(restorable);
  // A damaged object cannot show what it depends on, so it counts as chosen when it passes
  // every filter that needs no dependency resolution, and for an entity, when it shares a
  // namespace with the entity's objects: it may be one of their dependencies.
  const damagedFilters: Array<(record: ObjectRecord) => boolean> = [];
  const keep = (
    predicate: (record: ObjectRecord) => boolean,
    damagedPredicate: (record: ObjectRecord) => boolean = predicate,
  ) => {
    chosen = new Set([...chosen].filter(predicate));
    damagedFilters.push(damagedPredicate);
  };

  if (selection.objects?.length) {
    const named = new Set<ObjectRecord>();
    for (const text of selection.objects) {
      const reference = parseObjectReference(text);
      const matches = records.filter(record => recordMatches(record, reference));
      if (matches.length === 0) {
        throw new UserError('not-found', `${text} is not in snapshot ${snapshotLabel}`);
      }
      const usable = matches.filter(record => record.restorable && record.content);
      if (usable.length === 0) {
        const owner = matches[0].owner;
        throw new UserError(
          'not-found',
          `${text} was recorded for search only: ${owner ? `${owner.kind}/${owner.name}` : 'its controller'} makes it; restore that instead`,
        );
      }
      for (const record of usable) named.add(record);
    }
    keep(record => named.has(record));
  }

  // Everything loaded only when dependencies must be resolved from the objects themselves.
  let everything: LoadedObject[] | undefined;
  const loadEverything = async () => (everything ??= await contents.load(restorable, onLoad));

  if (selection.entity) {
    const all = await loadEverything();
    const seeds = componentSeeds(records, all, belongsToEntity(selection.entity));
    if (seeds.length === 0) {
      throw new UserError(
        'not-found',
        `no objects of entity "${selection.entity}" (label ${BACKSTAGE_ID_LABEL}) in snapshot ${snapshotLabel}`,
      );
    }
    const closure = new Set(dependencyClosure(all, seeds).map(loaded => loaded.record));
    const seedNamespaces = new Set(seeds.map(seed => seed.record.namespace));
    keep(
      record => closure.has(record),
      record => seedNamespaces.has(record.namespace),
    );
  }

  if (selection.includeNamespaces?.length) {
    const namespaces = new Set(selection.includeNamespaces);
    const present = new Set(records.map(record => record.namespace));
    const absent = [...namespaces].filter(namespace => !present.has(namespace));
    if (absent.length > 0) {
      throw new UserError(
        'not-found',
        `namespace ${absent.map(name => `"${name}"`).join(', ')} is not in snapshot ${snapshotLabel}`,
      );
    }
    const inNamespaces = (record: ObjectRecord) =>
      record.namespace !== undefined
        ? namespaces.has(record.namespace)
        : record.group === '' && record.kind === 'Namespace' && namespaces.has(record.name);
    const all = await loadEverything();
    const seeds = all.filter(loaded => inNamespaces(loaded.record) && chosen.has(loaded.record));
    const withClusterDependencies = new Set(
      dependencyClosure(all, seeds, loaded => loaded.record.namespace === undefined).map(
        loaded => loaded.record,
      ),
    );
    keep(record => withClusterDependencies.has(record), inNamespaces);
  }

  if (selection.labelSelector) {
    const selector = parseLabelSelector(selection.labelSelector);
    keep(record => matchesLabels(selector, record.labels));
  }

  const include = selection.includeResources ?? [];
  const exclude = selection.excludeResources ?? [];
  for (const type of [...include, ...exclude]) {
    if (!records.some(record => recordIsOfType(record, type))) {
      warnings.push(`snapshot ${snapshotLabel} holds no objects of type "${type}"`);
    }
  }
  if (include.length > 0) keep(record => include.some(type => recordIsOfType(record, type)));
  if (exclude.length > 0) keep(record => !exclude.some(type => recordIsOfType(record, type)));

  const selected = restorable.filter(record => chosen.has(record));
  const objects = everything
    ? everything.filter(loaded => chosen.has(loaded.record))
    : await contents.load(selected, onLoad);
  const damaged = contents
    .damaged()
    .filter(({ record }) => damagedFilters.every(filter => filter(record)));
  return { objects, warnings, damaged };
}

/** Whether an object belongs to a Backstage entity: its label, on the object or its pod template. */
export function belongsToEntity(entity: string): ComponentTest {
  return (labels, object) =>
    labels?.[BACKSTAGE_ID_LABEL] === entity ||
    (object !== undefined &&
      podTemplateOf(object)?.metadata.labels?.[BACKSTAGE_ID_LABEL] === entity);
}

/** Tells whether a record (and, when restorable, its object) is one of the chosen components. */
export type ComponentTest = (
  labels: ObjectRecord['labels'],
  object: KubeObject | undefined,
  record: ObjectRecord,
) => boolean;

/**
 * The restorable objects a component test picks, plus the workloads behind picked children
 * that were only recorded: a Pod labelled through its Deployment's template stands for the
 * Deployment, as in capture.
 */
export function componentSeeds(
  records: readonly ObjectRecord[],
  all: readonly LoadedObject[],
  test: ComponentTest,
): LoadedObject[] {
  const byKey = new Map(all.map(loaded => [recordKey(loaded.record), loaded]));
  const seeds = new Set<LoadedObject>();
  for (const loaded of all) {
    if (test(loaded.record.labels, loaded.object, loaded.record)) seeds.add(loaded);
  }
  const recordsByName = new Map<string, ObjectRecord[]>();
  for (const record of records) {
    const key = `${record.namespace ?? ''}|${record.name}`;
    recordsByName.set(key, [...(recordsByName.get(key) ?? []), record]);
  }
  for (const record of records) {
    if (record.restorable || !test(record.labels, undefined, record)) continue;
    let current: ObjectRecord | undefined = record;
    for (let depth = 0; current && !current.restorable && depth < 10; depth++) {
      const owner: ObjectRecord['owner'] = current.owner;
      current = owner
        ? recordsByName
            .get(`${current.namespace ?? ''}|${owner.name}`)
            ?.find(candidate => candidate.kind === owner.kind)
        : undefined;
    }
    const top = current && byKey.get(recordKey(current));
    if (top) seeds.add(top);
  }
  return [...seeds];
}
