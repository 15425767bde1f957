/**
 * CustomResourceDefinitions: their validation and defaults, the resource types they serve
 * once established, and what the API server does to custom resources with the CRD's
 * structural schema (prune unknown fields unless x-kubernetes-preserve-unknown-fields,
 * apply defaults, check types and required fields).
 */
import { fieldInvalid, fieldNotSupported, fieldRequired, type FieldError } from './status';
import { STANDARD_VERBS, type PrinterColumn, type ResourceType } from './resources';
import {
  deepEqual,
  isObject,
  OBJECT_META_FIELDS,
  type JsonObject,
  type JsonValue,
  type KubeObject,
} from './json';
import type { Strategy } from './strategies';

interface CrdVersion {
  name: string;
  served: boolean;
  storage: boolean;
  schema?: JsonObject;
  subresources?: { status?: JsonObject; scale?: JsonObject };
  additionalPrinterColumns?: PrinterColumn[];
}

interface CrdView {
  group: string;
  plural: string;
  singular: string;
  kind: string;
  listKind: string;
  shortNames: string[];
  categories: string[];
  scope: string;
  versions: CrdVersion[];
}

export function crdView(crd: KubeObject): CrdView {
  const spec = isObject(crd.spec) ? crd.spec : {};
  const names = isObject(spec.names) ? spec.names : {};
  const kind = String(names.kind ?? '');
  return {
    group: String(spec.group ?? ''),
    plural: String(names.plural ?? ''),
    singular: String(names.singular ?? kind.toLowerCase()),
    kind,
    listKind: String(names.listKind ?? `${kind}List`),
    shortNames: Array.isArray(names.shortNames) ? names.shortNames.map(String) : [],
    categories: Array.isArray(names.categories) ? names.categories.map(String) : [],
    scope: String(spec.scope ?? ''),
    versions: Array.isArray(spec.versions)
      ? (spec.versions.filter(isObject) as unknown as CrdVersion[])
      : [],
  };
}

const AGE_COLUMN: PrinterColumn = {
  name: 'Age',
  type: 'date',
  jsonPath: '.metadata.creationTimestamp',
};

/** The types an established CRD serves, one per served version. */
export function typesOfCrd(crd: KubeObject): ResourceType[] {
  const view = crdView(crd);
  const storage = view.versions.find(v => v.storage)?.name;
  return view.versions
    .filter(v => v.served)
    .map(v => ({
      group: view.group,
      version: v.name,
      resource: view.plural,
      kind: view.kind,
      singular: view.singular,
      namespaced: view.scope === 'Namespaced',
      shortNames: view.shortNames,
      categories: view.categories,
      verbs: STANDARD_VERBS,
      status: isObject(v.subresources?.status),
      scale: isObject(v.subresources?.scale)
        ? {
            specReplicasPath: String(v.subresources!.scale!.specReplicasPath ?? '.spec.replicas'),
            statusReplicasPath: String(
              v.subresources!.scale!.statusReplicasPath ?? '.status.replicas',
            ),
            labelSelectorPath:
              v.subresources!.scale!.labelSelectorPath === undefined
                ? undefined
                : String(v.subresources!.scale!.labelSelectorPath),
          }
        : undefined,
      generation: true,
      nameRule: 'subdomain' as const,
      custom: true,
      storageVersion: storage,
      printerColumns: v.additionalPrinterColumns ?? [AGE_COLUMN],
      schema:
        isObject(v.schema) && isObject(v.schema.openAPIV3Schema)
          ? v.schema.openAPIV3Schema
          : undefined,
    }));
}

/** Served versions in the order discovery lists them: the storage version first. */
export function versionOrder(crd: KubeObject): string[] {
  const view = crdView(crd);
  const served = view.versions.filter(v => v.served);
  return [...served.filter(v => v.storage), ...served.filter(v => !v.storage)].map(v => v.name);
}

export const crdStrategy: Strategy = {
  prepareCreate(crd) {
    defaultCrd(crd);
  },
  prepareUpdate(crd) {
    defaultCrd(crd);
  },
  initialStatus(crd) {
    const storage = crdView(crd).versions.find(v => v.storage)?.name;
    return { acceptedNames: { kind: '', plural: '' }, storedVersions: storage ? [storage] : [] };
  },
  validate(crd) {
    const errors: FieldError[] = [];
    const view = crdView(crd);
    if (!view.group) errors.push(fieldRequired('spec.group'));
    else if (!view.group.includes('.')) {
      errors.push(
        fieldInvalid('spec.group', view.group, 'should be a domain with at least one dot'),
      );
    }
    if (!view.plural) errors.push(fieldRequired('spec.names.plural'));
    if (!view.kind) errors.push(fieldRequired('spec.names.kind'));
    if (view.plural && view.group && crd.metadata.name !== `${view.plural}.${view.group}`) {
      errors.push(
        fieldInvalid(
          'metadata.name',
          crd.metadata.name,
          'must be spec.names.plural+"."+spec.group',
        ),
      );
    }
    if (view.scope !== 'Namespaced' && view.scope !== 'Cluster') {
      errors.push(fieldNotSupported('spec.scope', view.scope, ['Cluster', 'Namespaced']));
    }
    if (view.versions.length === 0)
      errors.push(
        fieldRequired('spec.versions', 'must have exactly one version marked as storage version'),
      );
    else if (view.versions.filter(v => v.storage).length !== 1) {
      errors.push(
        fieldInvalid(
          'spec.versions',
          view.versions.map(v => v.name),
          'must have exactly one version marked as storage version',
        ),
      );
    }
    view.versions.forEach((v, i) => {
      if (!isObject(v.schema) || !isObject(v.schema.openAPIV3Schema)) {
        errors.push(
          fieldRequired(`spec.versions[${i}].schema.openAPIV3Schema`, 'schemas are required'),
        );
      }
    });
    return errors;
  },
  validateUpdate(crd, old) {
    const errors: FieldError[] = [];
    const a = crdView(crd);
    const b = crdView(old);
    if (a.scope !== b.scope) errors.push(fieldInvalid('spec.scope', a.scope, 'field is immutable'));
    if (a.group !== b.group) errors.push(fieldInvalid('spec.group', a.group, 'field is immutable'));
    return errors;
  },
};

function defaultCrd(crd: KubeObject): void {
  const spec = isObject(crd.spec) ? crd.spec : {};
  const names = isObject(spec.names) ? spec.names : undefined;
  if (names && typeof names.kind === 'string') {
    names.singular ??= names.kind.toLowerCase();
    names.listKind ??= `${names.kind}List`;
  }
  spec.conversion ??= { strategy: 'None' };
}

/** Status the apiextensions controllers give a CRD: names accepted, then established. */
export function crdStatus(crd: KubeObject, established: boolean, now: string): JsonObject {
  const spec = isObject(crd.spec) ? crd.spec : {};
  const view = crdView(crd);
  const conditions: JsonObject[] = [
    {
      type: 'NamesAccepted',
      status: 'True',
      lastTransitionTime: now,
      reason: 'NoConflicts',
      message: 'no conflicts found',
    },
    {
      type: 'Established',
      status: established ? 'True' : 'False',
      lastTransitionTime: now,
      reason: established ? 'InitialNamesAccepted' : 'Installing',
      message: established
        ? 'the initial names have been accepted'
        : 'the initial names have been accepted',
    },
  ];
  const stored =
    isObject(crd.status) && Array.isArray(crd.status.storedVersions)
      ? crd.status.storedVersions
      : [];
  const storage = view.versions.find(v => v.storage)?.name;
  return {
    acceptedNames: clean(spec.names),
    conditions,
    storedVersions: storage && !stored.includes(storage) ? [...stored, storage] : stored,
  };
}

function clean(value: JsonValue | undefined): JsonValue {
  return isObject(value) ? { ...value } : {};
}

export function isEstablished(crd: KubeObject | undefined): boolean {
  const status = crd && isObject(crd.status) ? crd.status : undefined;
  return Array.isArray(status?.conditions)
    ? status.conditions.some(c => isObject(c) && c.type === 'Established' && c.status === 'True')
    : false;
}

// ---- structural schema ------------------------------------------------------------------

const META_FIELDS = new Set(OBJECT_META_FIELDS);

export interface SchemaResult {
  errors: FieldError[];
  /** Fields the schema does not declare, as pruned (`spec.foo`, `metadata.bar`). */
  unknown: string[];
}

/**
 * Prunes, defaults and validates a custom resource against its version's schema, in place.
 */
export function applySchema(obj: KubeObject, schema: JsonObject | undefined): SchemaResult {
  const unknown: string[] = [];
  for (const key of Object.keys(obj.metadata)) {
    if (!META_FIELDS.has(key)) {
      delete obj.metadata[key];
      unknown.push(`metadata.${key}`);
    }
  }
  const errors: FieldError[] = [];
  if (!schema) return { errors, unknown };
  const root = obj as unknown as JsonObject;
  const props = isObject(schema.properties) ? schema.properties : {};
  for (const key of Object.keys(root)) {
    if (key === 'apiVersion' || key === 'kind' || key === 'metadata') continue;
    if (props[key] !== undefined)
      root[key] = walk(root[key], props[key] as JsonObject, key, errors, unknown);
    else if (schema['x-kubernetes-preserve-unknown-fields'] !== true) {
      delete root[key];
      unknown.push(key);
    }
  }
  applyDefaults(root, schema, '', errors);
  checkRequired(root, schema, '', errors);
  return { errors, unknown };
}

function walk(
  value: JsonValue,
  schema: JsonObject,
  path: string,
  errors: FieldError[],
  unknown: string[] = [],
): JsonValue {
  if (value === null) {
    if (schema.nullable !== true && schema.type !== undefined) {
      errors.push(
        fieldInvalid(path, 'null', `${path} in body must be of type ${schema.type}: "null"`),
      );
    }
    return value;
  }
  checkType(value, schema, path, errors);
  if (isObject(value)) {
    const props = isObject(schema.properties) ? schema.properties : undefined;
    const additional = isObject(schema.additionalProperties)
      ? schema.additionalProperties
      : undefined;
    const preserve =
      schema['x-kubernetes-preserve-unknown-fields'] === true ||
      schema.additionalProperties === true;
    const embedded = schema['x-kubernetes-embedded-resource'] === true;
    for (const key of Object.keys(value)) {
      const child = props?.[key];
      const childPath = `${path}.${key}`;
      if (isObject(child)) value[key] = walk(value[key], child, childPath, errors, unknown);
      else if (additional) value[key] = walk(value[key], additional, childPath, errors, unknown);
      // An embedded object's apiVersion, kind and metadata survive pruning.
      else if (embedded && ['apiVersion', 'kind', 'metadata'].includes(key)) continue;
      else if (!preserve) {
        delete value[key];
        unknown.push(childPath);
      }
    }
    applyDefaults(value, schema, path, errors);
    checkRequired(value, schema, path, errors);
    return value;
  }
  if (Array.isArray(value) && isObject(schema.items)) {
    const items = schema.items;
    return value.map((item, i) => walk(item, items, `${path}[${i}]`, errors, unknown));
  }
  return value;
}

function applyDefaults(
  value: JsonObject,
  schema: JsonObject,
  path: string,
  errors: FieldError[],
): void {
  const props = isObject(schema.properties) ? schema.properties : {};
  for (const [key, child] of Object.entries(props)) {
    if (value[key] === undefined && isObject(child) && child.default !== undefined) {
      value[key] = walk(
        JSON.parse(JSON.stringify(child.default)) as JsonValue,
        child,
        path ? `${path}.${key}` : key,
        errors,
      );
    }
  }
}

function checkRequired(
  value: JsonObject,
  schema: JsonObject,
  path: string,
  errors: FieldError[],
): void {
  if (!Array.isArray(schema.required)) return;
  for (const key of schema.required) {
    if (typeof key === 'string' && value[key] === undefined)
      errors.push(fieldRequired(path ? `${path}.${key}` : key));
  }
}

function typeName(value: JsonValue): string {
  if (Array.isArray(value)) return 'array';
  if (isObject(value)) return 'object';
  if (typeof value === 'number') return Number.isInteger(value) ? 'integer' : 'number';
  return typeof value;
}

function checkType(value: JsonValue, schema: JsonObject, path: string, errors: FieldError[]): void {
  if (schema['x-kubernetes-int-or-string'] === true) {
    if (typeof value !== 'string' && !(typeof value === 'number' && Number.isInteger(value))) {
      errors.push(
        fieldInvalid(
          path,
          value,
          `${path} in body must be of type integer,string: "${typeName(value)}"`,
        ),
      );
    }
    return;
  }
  const expected = schema.type;
  if (typeof expected === 'string') {
    const actual = typeName(value);
    const ok = expected === actual || (expected === 'number' && actual === 'integer');
    if (!ok)
      errors.push(
        fieldInvalid(path, value, `${path} in body must be of type ${expected}: "${actual}"`),
      );
  }
  if (Array.isArray(schema.enum) && !schema.enum.some(e => deepEqual(e, value))) {
    errors.push(fieldNotSupported(path, value, schema.enum.map(String)));
  }
}
