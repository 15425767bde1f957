import type { KubeObject } from '../../snapshot/types';
import { allContainers, podTemplateOf } from '../../kubernetes-objects/pod-template';

const DOCKER_HUB = 'docker.io';
const DOCKER_HUB_ALIASES = new Set([
  'index.docker.io',
  'registry-1.docker.io',
  'registry.hub.docker.com',
]);

/**
 * Spells an image reference out in full, as the container runtime reads it:
 * `nginx:1.25` is `docker.io/library/nginx:1.25`, `acme/app` is `docker.io/acme/app`.
 */
export function fullImageReference(image: string): string {
  const slash = image.indexOf('/');
  const first = slash < 0 ? '' : image.slice(0, slash);
  // The first component is a registry only when it looks like a host.
  const hasRegistry =
    slash >= 0 && (first.includes('.') || first.includes(':') || first === 'localhost');
  if (!hasRegistry) return `${DOCKER_HUB}/${slash < 0 ? `library/${image}` : image}`;
  if (DOCKER_HUB_ALIASES.has(first)) {
    const rest = image.slice(slash + 1);
    return `${DOCKER_HUB}/${rest.includes('/') ? rest : `library/${rest}`}`;
  }
  return image;
}

/** A registry (or registry/path prefix) as typed, normalised the way images are. */
function normalisePrefix(prefix: string): string {
  const trimmed = prefix.replace(/\/+$/, '');
  const slash = trimmed.indexOf('/');
  const host = slash < 0 ? trimmed : trimmed.slice(0, slash);
  return DOCKER_HUB_ALIASES.has(host) ? DOCKER_HUB + trimmed.slice(host.length) : trimmed;
}

/** Builds a rewriter that moves images from one registry (or path) to another; the longest prefix wins. */
export function imageRewriter(
  mapping: Readonly<Record<string, string>>,
): (image: string) => string {
  const rules = Object.entries(mapping)
    .map(([from, to]) => ({ from: normalisePrefix(from), to: to.replace(/\/+$/, '') }))
    .sort((a, b) => b.from.length - a.from.length);
  return image => {
    const full = fullImageReference(image);
    for (const { from, to } of rules) {
      if (full.startsWith(`${from}/`)) return to + full.slice(from.length);
    }
    return image;
  };
}

/** Whether an image is pulled from a registry (or registry/path prefix), as a mapping names it. */
export function isFromRegistry(image: string, registry: string): boolean {
  return fullImageReference(image).startsWith(`${normalisePrefix(registry)}/`);
}

/** The container images of the object's pod template (or the Pod itself). */
export function imagesOf(object: KubeObject): string[] {
  const template = podTemplateOf(object);
  if (!template) return [];
  return allContainers(template.spec).flatMap(container =>
    container.image ? [container.image] : [],
  );
}

/** Rewrites every container image in the object's pod template (or the Pod itself). */
export function rewriteImages(object: KubeObject, rewrite: (image: string) => string): void {
  const template = podTemplateOf(object);
  if (!template) return;
  for (const container of allContainers(template.spec)) {
    if (container.image) container.image = rewrite(container.image);
  }
}
