import { UserError } from '../errors';
import { isLabelledProtected, PROTECTED_LABEL_SELECTOR } from '../protection/protected-namespaces';
import type { TargetNamespaces } from './target-namespaces';
import type { SafetyOverride } from './types';

/**
 * A restore writes into a namespace labelled `kube-backup.io/protected=true` only when
 * allowed; the allowance is returned as overrides for the report.
 */
export function checkProtectedTargets(
  namespaces: TargetNamespaces,
  allowProtected: boolean,
): SafetyOverride[] {
  const labelled = [...namespaces]
    .filter(([, live]) => isLabelledProtected(live))
    .map(([name]) => name);
  if (labelled.length === 0) return [];
  if (!allowProtected) {
    throw new UserError(
      'protected-namespace',
      `refusing to restore into protected namespace ${labelled.map(name => `"${name}"`).join(', ')} (label ${PROTECTED_LABEL_SELECTOR}), so nothing was written`,
      { namespace: labelled[0] },
    );
  }
  return labelled.map(name => ({
    check: 'protected-namespace',
    subject: name,
    reason: `label ${PROTECTED_LABEL_SELECTOR}`,
  }));
}
