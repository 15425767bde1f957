import {
  parseEntityRef,
  RELATION_OWNED_BY,
  stringifyEntityRef,
  type Entity,
} from '@backstage/catalog-model';
import { identityApiRef, useApi } from '@backstage/core-plugin-api';
import { useEffect, useState } from 'react';

/** The entity's owners as full refs: `spec.owner` and its ownedBy relations (as the backend reads them). */
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

export interface Viewer {
  userEntityRef?: string;
  /** Undefined while unknown. The backend decides in the end; this only shapes the page. */
  isOwner?: boolean;
}

/** Who is looking, and whether they own the entity. */
export function useViewer(entity: Entity): Viewer {
  const identityApi = useApi(identityApiRef);
  const [viewer, setViewer] = useState<Viewer>({});
  const owners = entityOwners(entity).join(',');
  useEffect(() => {
    let cancelled = false;
    identityApi.getBackstageIdentity().then(
      identity => {
        if (cancelled) return;
        const refs = new Set(
          [identity.userEntityRef, ...identity.ownershipEntityRefs].map(ref => ref.toLowerCase()),
        );
        setViewer({
          userEntityRef: identity.userEntityRef,
          isOwner: owners.split(',').some(owner => owner && refs.has(owner)),
        });
      },
      () => !cancelled && setViewer({ isOwner: false }),
    );
    return () => {
      cancelled = true;
    };
  }, [identityApi, owners]);
  return viewer;
}
