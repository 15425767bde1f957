import type { PlannedObject } from './types';

/** How messages name a planned object: `Deployment shop/web`, `ClusterRole view`. */
export function objectLabel({ type, object }: Pick<PlannedObject, 'type' | 'object'>): string {
  const { namespace, name } = object.metadata;
  return `${type.kind} ${namespace ? `${namespace}/` : ''}${name ?? ''}`;
}

/** The first few items of a list and how many more there are, for one-line messages. */
export function abbreviateList(items: readonly string[], shown = 5): string {
  const head = items.slice(0, shown).join(', ');
  return items.length > shown ? `${head} and ${items.length - shown} more` : head;
}
