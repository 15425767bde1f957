/** apimachinery's name and metadata validation, with its exact wording. */
import { fieldInvalid, fieldRequired, type FieldError } from './status';
import type { NameRule } from './resources';
import type { ObjectMeta } from './json';

const SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const DNS1035 = /^[a-z]([-a-z0-9]*[a-z0-9])?$/;
const QUALIFIED_NAME = /^([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]$/;
const LABEL_VALUE = /^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$/;

const SUBDOMAIN_MSG =
  "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')";
const LABEL_MSG =
  "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')";
const DNS1035_MSG =
  "a DNS-1035 label must consist of lower case alphanumeric characters or '-', start with an alphabetic character, and end with an alphanumeric character (e.g. 'my-name',  or 'abc-123', regex used for validation is '[a-z]([-a-z0-9]*[a-z0-9])?')";

export function validateName(rule: NameRule, name: string, field = 'metadata.name'): FieldError[] {
  switch (rule) {
    case 'subdomain':
      if (name.length > 253)
        return [fieldInvalid(field, name, 'must be no more than 253 characters')];
      return SUBDOMAIN.test(name) ? [] : [fieldInvalid(field, name, SUBDOMAIN_MSG)];
    case 'label':
      if (name.length > 63)
        return [fieldInvalid(field, name, 'must be no more than 63 characters')];
      return LABEL.test(name) ? [] : [fieldInvalid(field, name, LABEL_MSG)];
    case 'dns1035':
      if (name.length > 63)
        return [fieldInvalid(field, name, 'must be no more than 63 characters')];
      return DNS1035.test(name) ? [] : [fieldInvalid(field, name, DNS1035_MSG)];
    case 'path':
      if (name === '.' || name === '..') return [fieldInvalid(field, name, `may not be '${name}'`)];
      for (const bad of ['/', '%']) {
        if (name.includes(bad)) return [fieldInvalid(field, name, `may not contain '${bad}'`)];
      }
      return [];
  }
}

function validateQualifiedName(key: string, field: string): FieldError[] {
  const slash = key.indexOf('/');
  const name = slash < 0 ? key : key.slice(slash + 1);
  const prefix = slash < 0 ? undefined : key.slice(0, slash);
  const errors: FieldError[] = [];
  if (prefix !== undefined && (prefix.length > 253 || !SUBDOMAIN.test(prefix))) {
    errors.push(fieldInvalid(field, key, `prefix part ${SUBDOMAIN_MSG}`));
  }
  if (!name || name.length > 63 || !QUALIFIED_NAME.test(name)) {
    errors.push(
      fieldInvalid(
        field,
        key,
        "name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')",
      ),
    );
  }
  return errors;
}

/** ValidateObjectMeta: name, namespace, labels and annotations. */
export function validateObjectMeta(
  meta: ObjectMeta,
  namespaced: boolean,
  rule: NameRule,
): FieldError[] {
  const errors: FieldError[] = [];
  if (!meta.name && !meta.generateName) {
    errors.push(fieldRequired('metadata.name', 'name or generateName is required'));
  } else if (meta.name) {
    errors.push(...validateName(rule, meta.name));
  }
  if (namespaced && !meta.namespace) errors.push(fieldRequired('metadata.namespace'));
  for (const [key, value] of Object.entries(meta.labels ?? {})) {
    errors.push(...validateQualifiedName(key, 'metadata.labels'));
    if (typeof value !== 'string' || value.length > 63 || !LABEL_VALUE.test(value)) {
      errors.push(
        fieldInvalid(
          'metadata.labels',
          value,
          "a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyValue',  or 'my_value',  or '12345', regex used for validation is '(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')",
        ),
      );
    }
  }
  let annotationBytes = 0;
  for (const [key, value] of Object.entries(meta.annotations ?? {})) {
    errors.push(...validateQualifiedName(key.toLowerCase(), 'metadata.annotations'));
    annotationBytes += key.length + String(value).length;
  }
  if (annotationBytes > 256 * 1024) {
    errors.push({
      type: 'FieldValueTooLong',
      field: 'metadata.annotations',
      detail: 'Too long: must have at most 262144 bytes',
    });
  }
  for (const [i, ref] of (meta.ownerReferences ?? []).entries()) {
    const at = `metadata.ownerReferences[${i}]`;
    if (!ref.apiVersion)
      errors.push(
        fieldInvalid(`${at}.apiVersion`, ref.apiVersion ?? '', 'version must not be empty'),
      );
    if (!ref.kind)
      errors.push(fieldInvalid(`${at}.kind`, ref.kind ?? '', 'kind must not be empty'));
    if (!ref.name)
      errors.push(fieldInvalid(`${at}.name`, ref.name ?? '', 'name must not be empty'));
    if (!ref.uid) errors.push(fieldInvalid(`${at}.uid`, ref.uid ?? '', 'uid must not be empty'));
  }
  return errors;
}

const CONFIG_KEY = /^[-._a-zA-Z0-9]+$/;

export function validateConfigKeys(data: unknown, field: string): FieldError[] {
  if (typeof data !== 'object' || data === null) return [];
  const errors: FieldError[] = [];
  for (const key of Object.keys(data)) {
    if (!CONFIG_KEY.test(key) || key.length > 253) {
      errors.push(
        fieldInvalid(
          `${field}[${key}]`,
          key,
          "a valid config key must consist of alphanumeric characters, '-', '_' or '.' (e.g. 'key.name',  or 'KEY_NAME',  or 'key-name', regex used for validation is '[-._a-zA-Z0-9]+')",
        ),
      );
    }
  }
  return errors;
}
