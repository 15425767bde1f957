// The API server's rules for names, label keys and label values (apimachinery's validation),
// for every face that checks them before the server does: the portal's dialogs and routes,
// and the engine's options. Each function says why a name is refused, or undefined when it
// is valid.

/** Kubernetes' length limit of a DNS-1123 label, a label value and a label key's name part. */
export const MAX_LABEL_LENGTH = 63;
/** Kubernetes' length limit of a DNS-1123 subdomain (object names, label key prefixes). */
export const MAX_SUBDOMAIN_LENGTH = 253;

const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const DNS_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const QUALIFIED_NAME = /^[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$/;

const LABEL_RULE = `a DNS label (lowercase letters, digits and "-", at most ${MAX_LABEL_LENGTH} characters)`;
const SUBDOMAIN_RULE = `a DNS subdomain (lowercase letters, digits, "-" and ".", at most ${MAX_SUBDOMAIN_LENGTH} characters)`;

/** Why a namespace name is invalid (namespaces are DNS-1123 labels), or undefined. */
export function namespaceNameProblem(name: string): string | undefined {
  return DNS_LABEL.test(name) && name.length <= MAX_LABEL_LENGTH ? undefined : `not ${LABEL_RULE}`;
}

/** Why a name is not a DNS-1123 subdomain (most object names), or undefined when it is one. */
export function subdomainProblem(name: string): string | undefined {
  return DNS_SUBDOMAIN.test(name) && name.length <= MAX_SUBDOMAIN_LENGTH
    ? undefined
    : `not ${SUBDOMAIN_RULE}`;
}

/** Why a label or annotation key (`[prefix/]name`) is invalid, or undefined when it is valid. */
export function labelKeyProblem(key: string): string | undefined {
  const slash = key.indexOf('/');
  const prefix = slash < 0 ? undefined : key.slice(0, slash);
  const name = slash < 0 ? key : key.slice(slash + 1);
  if (prefix !== undefined && subdomainProblem(prefix)) {
    return `its prefix is not ${SUBDOMAIN_RULE}`;
  }
  return QUALIFIED_NAME.test(name) && name.length <= MAX_LABEL_LENGTH
    ? undefined
    : `not a valid key (at most ${MAX_LABEL_LENGTH} letters, digits, "-", "_" and ".", starting and ending with a letter or digit, after an optional DNS-subdomain prefix and "/")`;
}

/** Why a label value is invalid, or undefined when it is valid (empty is valid). */
export function labelValueProblem(value: string): string | undefined {
  return value === '' || (QUALIFIED_NAME.test(value) && value.length <= MAX_LABEL_LENGTH)
    ? undefined
    : `not a valid label value (at most ${MAX_LABEL_LENGTH} letters, digits, "-", "_" and ".", starting and ending with a letter or digit)`;
}

const KIND = /^[A-Za-z][A-Za-z0-9]*$/;

/**
 * Why a `kind/name` reference (`Deployment/web`, `deploy/web`, `Ingress.networking.k8s.io/web`)
 * is malformed, or undefined when it is well formed. Which kinds exist is the cluster's or
 * the snapshot's to say; this checks only the shape, so a typo is caught before a request.
 */
export function objectReferenceProblem(reference: string): string | undefined {
  const slash = reference.indexOf('/');
  const shape = 'not kind/name (for example Deployment/web)';
  if (slash <= 0 || slash === reference.length - 1) return shape;
  const type = reference.slice(0, slash);
  const name = reference.slice(slash + 1);
  const dot = type.indexOf('.');
  const kind = dot < 0 ? type : type.slice(0, dot);
  if (!KIND.test(kind) || (dot >= 0 && subdomainProblem(type.slice(dot + 1)))) return shape;
  // Names of most kinds are subdomains; RBAC names may hold ":" (system:controller:…). A
  // name is in any case one URL path segment.
  if (/[/%\s]/.test(name) || name === '.' || name === '..') return shape;
  return undefined;
}
