import type { Entity } from '@backstage/catalog-model';
import { identityApiRef, useApi } from '@backstage/core-plugin-api';
import { entityOwners } from '@kube-backup/backstage-plugin-kube-backup-common';
import { useEffect, useState } from 'react';

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
