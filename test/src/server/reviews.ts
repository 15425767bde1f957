/**
 * The review APIs that are answered, not stored: SelfSubjectAccessReview and
 * LocalSubjectAccessReview (`kubectl auth can-i`), SelfSubjectRulesReview (`can-i
 * --list`) and SelfSubjectReview (`kubectl auth whoami`), decided by the same authorizer
 * that guards requests.
 */
import type { Auth, Identity } from './auth';
import { badRequest } from './status';
import { isObject, type JsonObject } from './json';
import type { ResourceType } from './resources';

export function review(
  auth: Auth,
  identity: Identity,
  type: ResourceType,
  namespace: string | undefined,
  body: unknown,
): JsonObject {
  if (!isObject(body))
    throw badRequest(`the object provided is unrecognized (must be of type ${type.kind})`);
  const spec = isObject(body.spec) ? body.spec : {};
  const base: JsonObject = {
    kind: type.kind,
    apiVersion: type.group ? `${type.group}/${type.version}` : type.version,
    metadata: { creationTimestamp: null },
  };
  switch (type.kind) {
    case 'SelfSubjectReview':
      return {
        ...base,
        status: { userInfo: { username: identity.user, groups: auth.groups(identity) } },
      };
    case 'SelfSubjectRulesReview': {
      const namespace = typeof spec.namespace === 'string' ? spec.namespace : undefined;
      return {
        ...base,
        spec,
        status: {
          resourceRules: auth.resourceRules(identity, namespace),
          nonResourceRules: [{ verbs: ['*'], nonResourceURLs: ['*'] }],
          incomplete: false,
        },
      };
    }
    default: {
      const attrs = isObject(spec.resourceAttributes) ? spec.resourceAttributes : undefined;
      let allowed: boolean;
      if (attrs) {
        allowed = auth.allows(identity, {
          verb: String(attrs.verb ?? ''),
          group: String(attrs.group ?? ''),
          resource: String(attrs.resource ?? ''),
          namespace:
            namespace ?? (typeof attrs.namespace === 'string' ? attrs.namespace : undefined),
          name: typeof attrs.name === 'string' ? attrs.name : undefined,
          subresource:
            typeof attrs.subresource === 'string' && attrs.subresource
              ? attrs.subresource
              : undefined,
        });
      } else {
        const verb = isObject(spec.nonResourceAttributes)
          ? String(spec.nonResourceAttributes.verb ?? '')
          : '';
        allowed = !identity.readOnly || verb === 'get';
      }
      return { ...base, spec, status: allowed ? { allowed: true } : { allowed: false } };
    }
  }
}
