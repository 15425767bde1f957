import {
  parseEntityRef,
  RELATION_OWNED_BY,
  stringifyEntityRef,
  type Entity,
} from '@backstage/catalog-model';

/**
 * The entity's owners as full lower-case refs: `spec.owner` and its ownedBy relations. The
 * backend decides restore approvals by them; the frontend only shapes the page with them.
 */
export function entityOwners(entity: Entity): string[] {
  const owners = new Set<string>();
  const owner = (entity.spec as { owner?: unknown } | undefined)?.owner;
  if (typeof owner === 'string' && owner.trim()) {
    try {
      owners.add(
        stringifyEntityRef(
          parseEntityRef(owner.trim(), {
            defaultKind: 'Group',
            defaultNamespace: entity.metadata.namespace ?? 'default',
          }),
        ).toLowerCase(),
      );
    } catch {
      // A malformed owner owns nothing.
    }
  }
  for (const relation of entity.relations ?? []) {
    if (relation.type === RELATION_OWNED_BY) owners.add(relation.targetRef.toLowerCase());
  }
  return [...owners];
}
