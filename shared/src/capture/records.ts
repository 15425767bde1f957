import type { ImageRecord, KubeObject, ObjectRecord } from '../snapshot/types';
import { splitList, TAGS_ANNOTATION } from './annotations';
import { controllerOf, type InventoryItem } from '../kubernetes-objects/inventory';
import { podTemplateOf } from '../kubernetes-objects/pod-template';

interface ContainerStatus {
  name: string;
  image?: string;
  imageID?: string;
}

/** The images a pod ran, with the digests its status reports. */
export function podImages(pod: KubeObject): ImageRecord[] {
  const status = (pod.status ?? {}) as {
    containerStatuses?: ContainerStatus[];
    initContainerStatuses?: ContainerStatus[];
  };
  const statuses = [...(status.initContainerStatuses ?? []), ...(status.containerStatuses ?? [])];
  if (statuses.length > 0) {
    return statuses.map(container => ({
      container: container.name,
      image: container.image ?? '',
      digest: digestOf(container.imageID),
    }));
  }
  const spec = podTemplateOf(pod)?.spec;
  return (spec?.containers ?? []).map(container => ({
    container: container.name,
    image: container.image ?? '',
  }));
}

function digestOf(imageID: string | undefined): string | undefined {
  const at = imageID?.lastIndexOf('@sha256:') ?? -1;
  if (imageID && at >= 0) return imageID.slice(at + 1);
  return imageID?.startsWith('sha256:') ? imageID : undefined;
}

export function tagsOf(object: KubeObject): string[] {
  const template = podTemplateOf(object);
  return [
    ...new Set([
      ...splitList(object.metadata.annotations?.[TAGS_ANNOTATION]),
      ...splitList(template?.metadata.annotations?.[TAGS_ANNOTATION]),
    ]),
  ];
}

export function recordOf(item: InventoryItem, content: string | undefined): ObjectRecord {
  const { object, type } = item;
  const record: ObjectRecord = {
    group: type.group,
    version: type.version,
    kind: type.kind,
    resource: type.resource,
    name: object.metadata.name ?? '',
    restorable: content !== undefined,
  };
  if (object.metadata.namespace) record.namespace = object.metadata.namespace;
  if (object.metadata.labels && Object.keys(object.metadata.labels).length > 0) {
    record.labels = object.metadata.labels;
  }
  const tags = tagsOf(object);
  if (tags.length > 0) record.tags = tags;
  if (content !== undefined) record.content = content;
  const owner = controllerOf(object);
  if (owner) record.owner = { kind: owner.kind, name: owner.name };
  if (type.group === '' && type.kind === 'Pod') {
    record.images = podImages(object);
    const spec = object.spec as { nodeName?: string } | undefined;
    const status = object.status as { phase?: string } | undefined;
    if (spec?.nodeName) record.node = spec.nodeName;
    if (status?.phase) record.phase = status.phase;
  }
  return record;
}

/** Sorting makes a record list's bytes, and so its content id, stable between snapshots. */
export function compareRecords(a: ObjectRecord, b: ObjectRecord): number {
  return (
    (a.namespace ?? '').localeCompare(b.namespace ?? '') ||
    a.group.localeCompare(b.group) ||
    a.kind.localeCompare(b.kind) ||
    a.name.localeCompare(b.name)
  );
}
