import { InputError } from '@backstage/errors';
import type {
  FilesRestoreScope,
  RestoreScope,
} from '@kube-backup/backstage-plugin-kube-backup-common';
import {
  parseObjectReference,
  volumeAt,
  volumePath,
  recordMatches,
  type ObjectRecord,
  type RecordSelection,
  type Snapshot,
} from '@kube-backup/core';

// A restore request's scope only narrows what its entity owns in the snapshot. It is
// checked when the request is made, so an owner never approves one that reaches further,
// and intersected again when the approved restore runs.

const isSecret = (record: ObjectRecord) => record.group === '' && record.kind === 'Secret';

/**
 * At request time: every namespace and object the scope names is the entity's, and what it
 * leaves still holds something to restore. InputError (400) naming the first that is not.
 */
export function checkRestoreScope(
  entityRef: string,
  snapshot: Snapshot,
  entityRecords: readonly ObjectRecord[],
  scope: RestoreScope,
): void {
  const label = `snapshot ${snapshot.id.slice(0, 12)}`;
  const restorable = entityRecords.filter(record => record.restorable && record.content);
  const namespaces = [
    ...new Set(restorable.flatMap(record => (record.namespace ? [record.namespace] : []))),
  ].sort();
  for (const namespace of scope.namespaces ?? []) {
    if (!namespaces.includes(namespace)) {
      throw new InputError(
        `scope.namespaces: ${namespace} holds none of ${entityRef}'s objects in ${label} (they are in ${namespaces.join(', ') || 'no namespace'})`,
      );
    }
  }
  const references = (scope.objects ?? []).map(text => ({ text, ...parseObjectReference(text) }));
  for (const reference of references) {
    if (!restorable.some(record => recordMatches(record, reference))) {
      throw new InputError(
        `scope.objects: ${reference.text} is not one of ${entityRef}'s objects in ${label}`,
      );
    }
  }
  const left = restorable.filter(
    record =>
      (!scope.namespaces || (record.namespace && scope.namespaces.includes(record.namespace))) &&
      (references.length === 0 || references.some(reference => recordMatches(record, reference))) &&
      (scope.includeSecrets !== false || !isSecret(record)),
  );
  if (left.length === 0) {
    throw new InputError(
      `the scope matches none of ${entityRef}'s objects in ${label}: nothing would be restored`,
    );
  }
}

/**
 * At run time: the entity's selection narrowed by the request's scope (and the scope's
 * namespaces left out as outside the entity), or why nothing is left to restore. The
 * entity's namespaces are where its objects in the snapshot are.
 */
export function narrowSelection(
  entityRef: string,
  selection: RecordSelection,
  entityNamespaces: readonly string[],
  scope: RestoreScope,
): { selection: RecordSelection; leftOut: string[]; nothing?: undefined } | { nothing: string } {
  let includeNamespaces = selection.includeNamespaces;
  let leftOut: string[] = [];
  if (scope.namespaces) {
    const inside = scope.namespaces.filter(namespace => entityNamespaces.includes(namespace));
    if (inside.length === 0) {
      return {
        nothing: `nothing restored: the request names namespaces (${scope.namespaces.join(', ')}) outside ${entityRef}'s namespaces in this snapshot (${entityNamespaces.join(', ') || 'none'})`,
      };
    }
    includeNamespaces = inside;
    leftOut = scope.namespaces.filter(namespace => !inside.includes(namespace));
  }
  return {
    leftOut,
    selection: {
      ...selection,
      includeNamespaces,
      objects: scope.objects,
      excludeResources: scope.includeSecrets === false ? ['secrets'] : undefined,
    },
  };
}

/**
 * A files restore, at request time and again when it runs: its source claim and its target
 * claim are the entity's claims in the snapshot (the target in the same namespace), the
 * source's data was captured, and its paths are paths inside the volume. Returns it with
 * its paths normalised and the target named; InputError (400) naming what is not so.
 */
export function checkFilesRestore(
  entityRef: string,
  snapshot: Snapshot,
  entityVolumes: Snapshot['volumes'],
  files: FilesRestoreScope,
): FilesRestoreScope {
  const label = `snapshot ${snapshot.id.slice(0, 12)}`;
  const claims = entityVolumes
    .filter(volume => volume.namespace === files.namespace)
    .map(volume => volume.claim);
  const theirs = claims.length > 0 ? claims.join(', ') : 'none';
  if (!claims.includes(files.claim)) {
    throw new InputError(
      `files.claim: ${files.namespace}/${files.claim} is not one of ${entityRef}'s claims in ${label} (in ${files.namespace}: ${theirs})`,
    );
  }
  const targetClaim = files.targetClaim ?? files.claim;
  if (!claims.includes(targetClaim)) {
    throw new InputError(
      `files.targetClaim: ${files.namespace}/${targetClaim} is not one of ${entityRef}'s claims (in ${files.namespace}: ${theirs}); files go only into the entity's own claims`,
    );
  }
  volumeAt(snapshot, files.namespace, files.claim);
  return {
    ...files,
    paths: [...new Set(files.paths.map(volumePath))],
    targetClaim,
    existing: files.existing ?? 'skip',
  };
}
