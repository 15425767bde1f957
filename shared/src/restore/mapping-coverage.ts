import { UserError } from '../errors';
import { imagesOf, isFromRegistry } from './transforms/image-registry';
import { storageClassesOf } from './transforms/storage-class';
import type { PlannedObject, TransformOptions } from './types';

/**
 * Refuses mappings that match nothing the restore selected. Such a mapping is a typo or a
 * wrong assumption about the snapshot, and ignoring it sends the restore where it was never
 * meant to go: a mistyped namespace mapping restores into the original (production)
 * namespace. Runs on the objects as selected, before any transform.
 */
export function checkMappingsMatch(
  objects: readonly PlannedObject[],
  mappings: Pick<
    TransformOptions,
    'namespaceMapping' | 'storageClassMapping' | 'imageRegistryMapping'
  >,
): void {
  const namespaces = new Set<string>();
  const storageClasses = new Set<string>();
  const images = new Set<string>();
  for (const { type, object } of objects) {
    const { namespace, name } = object.metadata;
    if (namespace) namespaces.add(namespace);
    if (type.group === '' && type.kind === 'Namespace' && name) namespaces.add(name);
    if (type.group === 'storage.k8s.io' && type.kind === 'StorageClass' && name) {
      storageClasses.add(name);
    }
    for (const storageClass of storageClassesOf(object)) storageClasses.add(storageClass);
    for (const image of imagesOf(object)) images.add(image);
  }
  const seen = (values: Set<string>) => (values.size > 0 ? [...values].sort().join(', ') : 'none');
  const unmatched = [
    ...Object.entries(mappings.namespaceMapping ?? {})
      .filter(([from]) => !namespaces.has(from))
      .map(
        ([from, to]) =>
          `namespace mapping ${from}:${to} (the selection's namespaces: ${seen(namespaces)})`,
      ),
    ...Object.entries(mappings.storageClassMapping ?? {})
      .filter(([from]) => !storageClasses.has(from))
      .map(
        ([from, to]) =>
          `storage class mapping ${from}:${to} (the selection's storage classes: ${seen(storageClasses)})`,
      ),
    ...Object.entries(mappings.imageRegistryMapping ?? {})
      .filter(([from]) => ![...images].some(image => isFromRegistry(image, from)))
      .map(
        ([from, to]) =>
          `image registry mapping ${from}:${to} (no selected image comes from ${from})`,
      ),
  ];
  if (unmatched.length === 0) return;
  throw new UserError(
    'invalid-argument',
    `${unmatched.length === 1 ? 'a mapping matches' : 'mappings match'} nothing the restore selected, so nothing was written: ${unmatched.join('; ')}`,
  );
}
