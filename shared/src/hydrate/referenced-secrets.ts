import { podSpecReferences, podTemplateOf } from '../kubernetes-objects/pod-template';
import type { PlannedObject } from '../restore/types';
import type { MissingSecret } from './types';

/** The Secrets each object needs by name: what its pods mount or read, pull secrets, TLS. */
export function referencedSecrets(objects: readonly PlannedObject[]): Map<string, string[]> {
  const uses = new Map<string, string[]>();
  const add = (name: string | undefined, user: string) => {
    if (!name) return;
    const users = uses.get(name) ?? [];
    if (!users.includes(user)) users.push(user);
    uses.set(name, users);
  };
  for (const { object, type } of objects) {
    const user = `${type.kind}/${object.metadata.name}`;
    const template = podTemplateOf(object);
    if (template) for (const name of podSpecReferences(template.spec).secrets) add(name, user);
    if (type.group === '' && type.kind === 'ServiceAccount') {
      for (const pull of (object.imagePullSecrets as Array<{ name?: string }> | undefined) ?? []) {
        add(pull.name, user);
      }
    }
    if (type.group === 'networking.k8s.io' && type.kind === 'Ingress') {
      const tls = (object.spec as { tls?: Array<{ secretName?: string }> } | undefined)?.tls;
      for (const entry of tls ?? []) add(entry.secretName, user);
    }
  }
  return uses;
}

/** The referenced Secrets that are neither written by the hydration nor already present. */
export function missingSecrets(
  objects: readonly PlannedObject[],
  present: ReadonlySet<string>,
): MissingSecret[] {
  const written = new Set(
    objects
      .filter(({ type }) => type.group === '' && type.kind === 'Secret')
      .map(({ object }) => object.metadata.name),
  );
  return [...referencedSecrets(objects)]
    .filter(([name]) => !written.has(name) && !present.has(name))
    .map(([name, usedBy]) => ({ name, usedBy }))
    .sort((a, b) => a.name.localeCompare(b.name));
}
