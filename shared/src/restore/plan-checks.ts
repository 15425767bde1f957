import { UserError } from '../errors';
import { checkPlanNames } from './plan-names';
import { flagPrivilegedContent } from './privileged-content';
import { abbreviateList } from './object-label';
import type { DamagedObject } from './snapshot-objects';
import type { ObjectOutcome, PlannedObject } from './types';

/**
 * The checks every plan goes through once its objects are final: every name must be valid
 * (see plan-names.ts), and privileged objects are marked for the dry run and for the
 * refusal in executeRestorePlan.
 */
export function finishPlanObjects(objects: readonly PlannedObject[]): PlannedObject[] {
  checkPlanNames(objects);
  return flagPrivilegedContent(objects);
}

/**
 * Chosen objects the repository cannot give back. They stop the restore, named, unless the
 * caller asked to skip them; skipped ones become failed outcomes so the report shows them.
 */
export function damagedOutcomes(
  damaged: readonly DamagedObject[],
  skipDamaged: boolean,
  snapshotLabel: string,
  targetNamespaceOf: (namespace: string | undefined) => string | undefined,
): ObjectOutcome[] {
  if (damaged.length === 0) return [];
  const named = damaged.map(
    ({ record }) =>
      `${record.kind} ${record.namespace ? `${record.namespace}/` : ''}${record.name}`,
  );
  if (!skipDamaged) {
    throw new UserError(
      'corrupt',
      `${damaged.length} object(s) of snapshot ${snapshotLabel} cannot be read from the repository, so nothing was written: ${abbreviateList(named)} (${damaged[0].message})`,
      { objects: named },
    );
  }
  return damaged.map(({ record, message }) => {
    const outcome: ObjectOutcome = {
      group: record.group,
      version: record.version,
      kind: record.kind,
      name: record.name,
      outcome: 'failed',
      reason: 'Damaged',
      message: `not restored: ${message}`,
    };
    const namespace = targetNamespaceOf(record.namespace);
    if (namespace) outcome.namespace = namespace;
    if (record.namespace && record.namespace !== namespace)
      outcome.sourceNamespace = record.namespace;
    return outcome;
  });
}
