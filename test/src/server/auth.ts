/**
 * Bearer-token authentication and a small authorizer: an admin token may do anything, a
 * read-only token may get/list/watch, and tests can deny whole resource types to a token.
 * The admin may impersonate any user (`Impersonate-User`, as `kubectl --as` sends it), who
 * is then authorized by RBAC objects in the store (rbac.ts). Denials are worded like the
 * RBAC authorizer's.
 */
import type { JsonObject } from './json';
import { impliedGroups, type RbacAuthorizer } from './rbac';
import { ApiError, forbidden, unauthorized } from './status';
import type { ResourceType } from './resources';

export interface Identity {
  user: string;
  token: string;
  readOnly: boolean;
  /** Set for an impersonated user: its groups, and that RBAC decides for it. */
  impersonated?: { groups: string[] };
}

export interface ResourceAttributes {
  verb: string;
  group: string;
  resource: string;
  namespace?: string;
  name?: string;
  subresource?: string;
}

const READ_VERBS = new Set(['get', 'list', 'watch']);
/** Paths any caller may read without credentials, as with the system:public-info-viewer role. */
const PUBLIC_PATHS = new Set(['/version', '/healthz', '/livez', '/readyz']);

export class Auth {
  private readonly tokens = new Map<string, Identity>();
  private readonly denied = new Map<string, Set<string>>();

  constructor(private readonly rbac: RbacAuthorizer) {}

  addToken(token: string, user: string, readOnly: boolean): void {
    this.tokens.set(token, { token, user, readOnly });
  }

  /** Denies every verb on a resource (`secrets`, or `deployments.apps`) to a token. */
  forbid(token: string, resource: string): void {
    let set = this.denied.get(token);
    if (!set) {
      set = new Set();
      this.denied.set(token, set);
    }
    set.add(resource);
  }

  allow(token: string, resource?: string): void {
    if (resource === undefined) this.denied.delete(token);
    else this.denied.get(token)?.delete(resource);
  }

  /** The caller, `undefined` for a public path without credentials; throws a 401. */
  authenticate(authorization: string | undefined, path: string): Identity | undefined {
    if (!authorization) {
      if (PUBLIC_PATHS.has(path)) return undefined;
      throw unauthorized();
    }
    const match = /^Bearer\s+(\S+)\s*$/i.exec(authorization);
    const identity = match ? this.tokens.get(match[1]) : undefined;
    if (!identity) throw unauthorized();
    return identity;
  }

  /**
   * The identity a request acts as: the caller, or the user it impersonates. Only a caller
   * that may do anything may impersonate, as only cluster-admin may by default.
   */
  impersonate(
    identity: Identity | undefined,
    user: string | undefined,
    groups: string[] = [],
  ): Identity | undefined {
    if (!identity || user === undefined) return identity;
    if (identity.readOnly) {
      throw forbidden(
        { group: '', resource: 'users' },
        user,
        `User "${identity.user}" cannot impersonate resource "users" in API group "" at the cluster scope`,
      );
    }
    return {
      user,
      token: identity.token,
      readOnly: false,
      impersonated: { groups: [...new Set([...groups, ...impliedGroups(user)])] },
    };
  }

  /** Would `identity` be allowed this request? (What access reviews answer.) */
  allows(identity: Identity, attrs: ResourceAttributes): boolean {
    if (identity.impersonated) {
      return this.rbac.allows({ user: identity.user, groups: identity.impersonated.groups }, attrs);
    }
    const denied = this.denied.get(identity.token);
    const qualified = attrs.group ? `${attrs.resource}.${attrs.group}` : attrs.resource;
    if (denied?.has(attrs.resource) || denied?.has(qualified) || denied?.has('*')) return false;
    return !identity.readOnly || READ_VERBS.has(attrs.verb);
  }

  /** The resource rules an identity holds in a namespace, as a SelfSubjectRulesReview lists them. */
  resourceRules(identity: Identity, namespace: string | undefined): JsonObject[] {
    if (identity.impersonated) {
      return this.rbac.rules(
        { user: identity.user, groups: identity.impersonated.groups },
        namespace,
      );
    }
    const verbs = identity.readOnly ? ['get', 'list', 'watch'] : ['*'];
    return [{ verbs, apiGroups: ['*'], resources: ['*'] }];
  }

  groups(identity: Identity): string[] {
    if (identity.impersonated) return identity.impersonated.groups;
    return identity.readOnly
      ? ['system:authenticated']
      : ['system:masters', 'system:authenticated'];
  }

  authorize(
    identity: Identity,
    verb: string,
    type: ResourceType,
    namespace: string | undefined,
    name: string | undefined,
    subresource: string | undefined,
  ): ApiError | undefined {
    // Every authenticated user may review its own access (system:basic-user).
    if (type.review) return undefined;
    const attrs = {
      verb,
      group: type.group,
      resource: type.resource,
      namespace,
      name,
      subresource,
    };
    if (this.allows(identity, attrs)) return undefined;
    const resource = subresource ? `${type.resource}/${subresource}` : type.resource;
    const scope = namespace ? `in the namespace "${namespace}"` : 'at the cluster scope';
    return forbidden(
      { group: type.group, resource: type.resource },
      name ?? '',
      `User "${identity.user}" cannot ${verb} resource "${resource}" in API group "${type.group}" ${scope}`,
    );
  }
}
