/**
 * A minimal /openapi/v3: one document per served group version listing each type's PATCH
 * operation with the `fieldValidation` parameter. That is what kubectl reads to decide
 * that the server validates fields itself (so `kubectl create/apply` need no client-side
 * schema). Types carry no schemas, so client-side apply falls back to kubectl's compiled-in
 * strategic-merge knowledge, as it does for a server whose documents lack a type.
 * /openapi/v2 (protobuf only in kubectl) stays unserved: `kubectl explain` cannot work.
 */
import { createHash } from 'node:crypto';
import type { Registry } from './registry';

const COMMON_PARAMS = ['dryRun', 'fieldManager', 'fieldValidation', 'force'].map(name => ({
  name,
  in: 'query',
  schema: { type: name === 'force' ? 'boolean' : 'string', uniqueItems: true },
}));

export class OpenApi {
  private generation = -1;
  private docs = new Map<string, string>();
  private index = '';

  constructor(private readonly registry: Registry) {}

  private refresh(): void {
    if (this.generation === this.registry.generation) return;
    this.generation = this.registry.generation;
    this.docs = new Map();
    const paths: Record<string, { serverRelativeURL: string }> = {};
    for (const group of this.registry.groups()) {
      for (const version of group.versions) {
        const key = group.name ? `apis/${group.name}/${version}` : `api/${version}`;
        const doc = JSON.stringify(this.document(group.name, version, key));
        this.docs.set(key, doc);
        const hash = createHash('sha512').update(doc).digest('hex').slice(0, 128).toUpperCase();
        paths[key] = { serverRelativeURL: `/openapi/v3/${key}?hash=${hash}` };
      }
    }
    this.index = JSON.stringify({ paths });
  }

  /** JSON for /openapi/v3 or /openapi/v3/<group version path>, undefined when unknown. */
  serve(path: string): string | undefined {
    this.refresh();
    if (path === '/openapi/v3') return this.index;
    return this.docs.get(path.replace(/^\/openapi\/v3\//, ''));
  }

  private document(group: string, version: string, prefix: string): Record<string, unknown> {
    const paths: Record<string, unknown> = {};
    for (const type of this.registry.typesIn(group, version)) {
      const scope = type.namespaced ? '/namespaces/{namespace}' : '';
      const gvk = { group, version, kind: type.kind };
      paths[`/${prefix}${scope}/${type.resource}/{name}`] = {
        patch: {
          operationId: `patch${type.kind}`,
          parameters: COMMON_PARAMS,
          'x-kubernetes-action': 'patch',
          'x-kubernetes-group-version-kind': gvk,
        },
      };
    }
    return {
      openapi: '3.0.0',
      info: { title: 'Kubernetes', version: 'unversioned' },
      paths,
      components: { schemas: {} },
    };
  }
}
