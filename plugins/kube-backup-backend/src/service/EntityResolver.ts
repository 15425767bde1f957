import type { HttpAuthService } from '@backstage/backend-plugin-api';
import { stringifyEntityRef } from '@backstage/catalog-model';
import { InputError, NotFoundError } from '@backstage/errors';
import type { CatalogService } from '@backstage/plugin-catalog-node';
import {
  KUBERNETES_ID_ANNOTATION,
  KUBERNETES_LABEL_SELECTOR_ANNOTATION,
  KUBERNETES_NAMESPACE_ANNOTATION,
} from '@kube-backup/backstage-plugin-kube-backup-common';
import type { Request } from 'express';
import type { NamespaceGrant } from '../config';
import type { EntityContext } from './AccessPolicy';
import { entityScope, type EntityScope } from './EntityScope';

/**
 * The entity a request is about, as the catalog shows it to the caller (catalog read rules
 * apply first), and what of the snapshots it may claim.
 */
export class EntityResolver {
  constructor(
    private readonly deps: {
      httpAuth: HttpAuthService;
      catalog: CatalogService;
      namespaceOwners: NamespaceGrant[];
    },
  ) {}

  /** The entity of an `/entities/:kind/:namespace/:name` route. */
  fromRoute(req: Request): Promise<EntityContext> {
    const { kind, namespace, name } = req.params;
    return this.byRef(req, stringifyEntityRef({ kind, namespace, name }));
  }

  /** An entity by ref (a job's or a request's), read with the caller's credentials. */
  async byRef(req: Request, entityRef: string): Promise<EntityContext> {
    const credentials = await this.deps.httpAuth.credentials(req, { allow: ['user'] });
    const entity = await this.deps.catalog.getEntityByRef(entityRef, { credentials });
    if (!entity) throw new NotFoundError(`no entity ${entityRef} in the catalog`);
    return { credentials, entity, entityRef: stringifyEntityRef(entity) };
  }

  /**
   * What the entity claims; undefined when it has none of the annotations. A claim the
   * config does not grant is refused (NotAllowedError).
   */
  scope(context: EntityContext): EntityScope | undefined {
    return entityScope(context.entity, this.deps.namespaceOwners);
  }

  /** What the entity claims; InputError when it has none of the annotations. */
  requireScope(context: EntityContext): EntityScope {
    const scope = this.scope(context);
    if (!scope) {
      throw new InputError(
        `${context.entityRef} has none of the ${KUBERNETES_ID_ANNOTATION}, ${KUBERNETES_NAMESPACE_ANNOTATION} or ${KUBERNETES_LABEL_SELECTOR_ANNOTATION} annotations, so no snapshot can be tied to it`,
      );
    }
    return scope;
  }
}
