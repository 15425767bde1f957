/**
 * Bearer-token authentication and a small authorizer: an admin token may do anything, a
 * read-only token may get/list/watch, and tests can deny whole resource types to a token.
 * Denials are worded like the RBAC authorizer's.
 */
import { ApiError, forbidden, unauthorized } from './status';
import type { ResourceType } from './resources';

export interface Identity {
  user: string;
  token: string;
  readOnly: boolean;
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

  /** Would `identity` be allowed this request? (What access reviews answer.) */
  allows(identity: Identity, attrs: ResourceAttributes): boolean {
    const denied = this.denied.get(identity.token);
    const qualified = attrs.group ? `${attrs.resource}.${attrs.group}` : attrs.resource;
    if (denied?.has(attrs.resource) || denied?.has(qualified) || denied?.has('*')) return false;
    return !identity.readOnly || READ_VERBS.has(attrs.verb);
  }

  groups(identity: Identity): string[] {
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
    const denied = this.denied.get(identity.token);
    const qualified = type.group ? `${type.resource}.${type.group}` : type.resource;
    const blocked = denied?.has(type.resource) || denied?.has(qualified);
    if (!blocked && (!identity.readOnly || READ_VERBS.has(verb))) return undefined;
    const resource = subresource ? `${type.resource}/${subresource}` : type.resource;
    const scope = namespace ? `in the namespace "${namespace}"` : 'at the cluster scope';
    return forbidden(
      { group: type.group, resource: type.resource },
      name ?? '',
      `User "${identity.user}" cannot ${verb} resource "${resource}" in API group "${type.group}" ${scope}`,
    );
  }
}
