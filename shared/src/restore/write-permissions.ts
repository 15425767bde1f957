import type { ClusterConnection } from '../cluster/connect';
import { reviewAccess, reviewedUser, type AccessCheck } from '../cluster/access-review';
import { qualifiedResourceName } from '../cluster/resource-types';
import { UserError } from '../errors';
import type { PlannedObject } from './types';

/**
 * Asks the API server, before the first write, whether the credentials may do every
 * request the plan needs (`verbsOf` says which, per object), and refuses with one message
 * listing everything missing: a user without rights to Secrets learns it once, not as
 * dozens of Forbidden rows after half the restore was written. A server that does not
 * answer access reviews gets a warning and the restore goes on.
 */
export async function checkWritePermissions(
  connection: ClusterConnection,
  objects: readonly PlannedObject[],
  verbsOf: (planned: PlannedObject) => readonly string[],
): Promise<string[]> {
  const checks = new Map<string, AccessCheck>();
  for (const planned of objects) {
    const { type, object } = planned;
    const namespace = type.namespaced ? object.metadata.namespace : undefined;
    for (const verb of verbsOf(planned)) {
      const check: AccessCheck = { verb, group: type.group, resource: type.resource };
      if (namespace) check.namespace = namespace;
      checks.set(`${verb}|${type.group}|${type.resource}|${namespace ?? ''}`, check);
    }
  }
  if (checks.size === 0) return [];
  const answer = await reviewAccess(connection.client, [...checks.values()]);
  if (!answer.answered) return [`permissions not checked before writing: ${answer.reason}`];
  if (answer.denied.length === 0) return [];

  const scopes = new Map<string, string[]>();
  for (const { verb, group, resource, namespace } of answer.denied) {
    const action = `${verb} ${qualifiedResourceName({ group, resource })}`;
    scopes.set(action, [...(scopes.get(action) ?? []), namespace ?? '']);
  }
  const missing = [...scopes]
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([action, namespaces]) => {
      const named = namespaces.filter(Boolean).sort();
      const where = named.length > 0 ? `in ${named.join(', ')}` : 'at cluster scope';
      return `${action} ${where}`;
    });
  const user = await reviewedUser(connection.client);
  const who = user
    ? `user "${user}" (context ${connection.contextName})`
    : `the credentials of context ${connection.contextName}`;
  throw new UserError(
    'permission-missing',
    `${who} may not do everything the restore needs, so nothing was written; missing: ${missing.join('; ')}`,
  );
}
