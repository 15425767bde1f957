import { UserError } from '../errors';
import {
  labelKeyProblem,
  labelValueProblem,
  namespaceNameProblem,
  objectNameProblem,
} from './kubernetes-names';
import { abbreviateList, objectLabel } from './object-label';
import type { PlannedObject } from './types';

/**
 * Checks every name a plan would write (namespaces, object names by their kind's rule,
 * label keys and values, annotation keys) and raises one error listing each bad name with
 * the objects that carry it. Mappings and patch rules make names the snapshot never had;
 * the API server would refuse them one object at a time, after other objects were written.
 */
export function checkPlanNames(objects: readonly PlannedObject[]): void {
  const problems = new Map<string, { problem: string; objects: string[] }>();
  const note = (
    what: string,
    value: string,
    problem: string | undefined,
    planned: PlannedObject,
  ) => {
    if (!problem) return;
    const key = `${what} "${value}"`;
    const entry = problems.get(key) ?? { problem, objects: [] };
    entry.objects.push(objectLabel(planned));
    problems.set(key, entry);
  };
  for (const planned of objects) {
    const { namespace, name, labels, annotations } = planned.object.metadata;
    if (planned.type.namespaced) {
      note('namespace', namespace ?? '', namespaceNameProblem(namespace ?? ''), planned);
    }
    // A Namespace's name and its objects' namespace are one name, reported once.
    const isNamespace = planned.type.group === '' && planned.type.kind === 'Namespace';
    const what = isNamespace ? 'namespace' : `${planned.type.kind} name`;
    note(what, name ?? '', objectNameProblem(planned.type, name ?? ''), planned);
    for (const [key, value] of Object.entries(labels ?? {})) {
      note('label key', key, labelKeyProblem(key), planned);
      note(`value of label ${key}`, String(value), labelValueProblem(String(value)), planned);
    }
    for (const key of Object.keys(annotations ?? {})) {
      note('annotation key', key, labelKeyProblem(key), planned);
    }
  }
  if (problems.size === 0) return;
  const described = [...problems].map(
    ([what, { problem, objects: users }]) => `${what} is ${problem} (${abbreviateList(users, 3)})`,
  );
  throw new UserError(
    'invalid-argument',
    `the restore would write invalid names, so nothing was written: ${described.join('; ')}`,
  );
}
