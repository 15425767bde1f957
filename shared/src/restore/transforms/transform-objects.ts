import { UserError } from '../../errors';
import { PatchRuleError, PatchRuleSet } from '../patch-rules/apply';
import type { PlannedObject, TransformOptions } from '../types';
import { imageRewriter, rewriteImages } from './image-registry';
import { addMetadata } from './metadata';
import { mapNamespaces } from './namespace';
import { setReplicas } from './replicas';
import { mapStorageClasses } from './storage-class';

/**
 * Applies the restore-time changes to every object, in a fixed order: namespaces, storage
 * classes, image registries, replicas, labels and annotations, then patch rules (which
 * therefore see, and can override, everything before them). Objects are copied, never
 * changed in place. A patch rule that cannot apply stops the whole restore here, before
 * anything is written.
 */
export function transformObjects(
  objects: readonly PlannedObject[],
  options: TransformOptions,
): { objects: PlannedObject[]; warnings: string[] } {
  const rewrite = hasEntries(options.imageRegistryMapping)
    ? imageRewriter(options.imageRegistryMapping!)
    : undefined;
  const rules = options.patchRules?.length ? new PatchRuleSet(options.patchRules) : undefined;
  const result = objects.map(planned => {
    let object = structuredClone(planned.object);
    if (hasEntries(options.namespaceMapping)) mapNamespaces(object, options.namespaceMapping!);
    if (hasEntries(options.storageClassMapping)) {
      mapStorageClasses(object, options.storageClassMapping!);
    }
    if (rewrite) rewriteImages(object, rewrite);
    if (options.replicas !== undefined) setReplicas(object, options.replicas);
    addMetadata(object, options.addLabels, options.addAnnotations);
    if (rules) {
      try {
        object = rules.apply(planned.type, object);
      } catch (error) {
        if (!(error instanceof PatchRuleError)) throw error;
        const where = object.metadata.namespace ? ` in ${object.metadata.namespace}` : '';
        throw new UserError(
          'invalid-argument',
          `patch ${error.message} (on ${planned.type.kind}/${object.metadata.name}${where})`,
        );
      }
    }
    return { ...planned, object };
  });
  return { objects: result, warnings: rules?.unmatchedWarnings() ?? [] };
}

function hasEntries(record: Readonly<Record<string, unknown>> | undefined): boolean {
  return record !== undefined && Object.keys(record).length > 0;
}
