import type {
  BackstageCredentials,
  BackstageUserPrincipal,
  PermissionsService,
  UserInfoService,
} from '@backstage/backend-plugin-api';
import type { Entity } from '@backstage/catalog-model';
import { NotAllowedError } from '@backstage/errors';
import { AuthorizeResult, type ResourcePermission } from '@backstage/plugin-permission-common';
import {
  entityOwners,
  kubeBackupFilesReadPermission,
  kubeBackupHydratePermission,
  kubeBackupRestoreApprovePermission,
  kubeBackupRestoreRequestPermission,
  kubeBackupSnapshotsReadPermission,
  matchesAnyNamePattern,
  type HydrationRequestBody,
  type HydrationTarget,
  type RestoreDecisionBody,
  type RestoreRequest,
} from '@kube-backup/backstage-plugin-kube-backup-common';
import { isProtectedNamespace } from '@kube-backup/core';
import type { HydrationTargetConfig, KubeBackupConfig } from '../config';

export type UserCredentials = BackstageCredentials<BackstageUserPrincipal>;

/** A request about one entity: who asks, and the entity as the catalog shows it to them. */
export interface EntityContext {
  credentials: UserCredentials;
  entity: Entity;
  entityRef: string;
}

/** How the caller may read what a snapshot holds of an entity: not at all (and why), or as owner or not. */
type OwnerOrGrantedAccess =
  { refusal: string } | { refusal?: undefined; owner: boolean; ownershipRefs: Set<string> };

/**
 * Whether an approval is the requester approving their own request: `no`, `allowed` (the
 * config lets owners approve their own) or `refused`; undefined for a rejection, which the
 * requester may always make (it withdraws the request).
 */
export type SelfApproval = 'no' | 'allowed' | 'refused' | undefined;

/**
 * Who may do what to an entity's snapshots. Reading follows the permission policy. Hydrating
 * reads object contents, so it also needs ownership of the entity, or a policy that grants
 * kube-backup.hydrate for this entity in particular (a conditional decision) rather than to
 * everyone; Secrets come along only for owners, and only where the target allows them.
 * Deciding on a restore needs the approve permission and ownership, and (unless the config
 * says otherwise) an approver other than the requester. Downloading files of its volumes
 * follows hydration's rule with kube-backup.files.read.
 */
export class AccessPolicy {
  constructor(
    private readonly deps: {
      config: KubeBackupConfig;
      permissions: PermissionsService;
      userInfo: UserInfoService;
    },
  ) {}

  /** Whether the policy allows the permission on this entity. */
  async allowed(
    permission: ResourcePermission<'catalog-entity'>,
    context: EntityContext,
  ): Promise<boolean> {
    const [decision] = await this.deps.permissions.authorize(
      [{ permission, resourceRef: context.entityRef }],
      { credentials: context.credentials },
    );
    return decision.result === AuthorizeResult.ALLOW;
  }

  async authorize(
    permission: ResourcePermission<'catalog-entity'>,
    context: EntityContext,
  ): Promise<void> {
    if (!(await this.allowed(permission, context))) {
      throw new NotAllowedError(`not allowed: ${permission.name} on ${context.entityRef}`);
    }
  }

  /** The hydration targets configured for this entity that this caller may use. */
  async hydrationTargets(context: EntityContext): Promise<HydrationTarget[]> {
    const access = await this.hydrationAccess(context);
    if (access.refusal !== undefined) return [];
    return this.targetsFor(context, access.ownershipRefs).map(target => ({
      name: target.name,
      title: target.title,
      cluster: target.cluster,
      namespaces: [...target.namespaces],
      allowSecrets: target.allowSecrets && access.owner,
    }));
  }

  /** Checks a hydration before anything runs; the target it may use, or NotAllowedError. */
  async checkHydration(
    context: EntityContext,
    body: HydrationRequestBody,
  ): Promise<HydrationTargetConfig> {
    const access = await this.hydrationAccess(context);
    if (access.refusal !== undefined) throw new NotAllowedError(access.refusal);
    const target = this.targetsFor(context, access.ownershipRefs).find(
      candidate => candidate.name === body.target,
    );
    if (!target) {
      throw new NotAllowedError(
        `hydration target "${body.target}" is not allowed for ${context.entityRef}`,
      );
    }
    if (!matchesAnyNamePattern(target.namespaces, body.namespace)) {
      throw new NotAllowedError(
        `namespace "${body.namespace}" is not one target "${target.name}" allows (${target.namespaces.join(', ')})`,
      );
    }
    if (this.isProtected(body.namespace)) {
      throw new NotAllowedError(
        `namespace "${body.namespace}" is protected; hydration never writes there`,
      );
    }
    if (body.includeSecrets && !target.allowSecrets) {
      throw new NotAllowedError(
        `hydration target "${target.name}" does not allow Secrets; hydrate without them`,
      );
    }
    if (body.includeSecrets && !access.owner) {
      throw new NotAllowedError(
        `only an owner of ${context.entityRef} (${ownersText(context.entity)}) may hydrate its Secrets; hydrate without them`,
      );
    }
    return target;
  }

  /** Checks that the caller may ask for a restore of the entity into production. */
  async checkRestoreRequest(context: EntityContext): Promise<void> {
    await this.authorize(kubeBackupSnapshotsReadPermission, context);
    await this.authorize(kubeBackupRestoreRequestPermission, context);
  }

  selfApproval(request: RestoreRequest, context: EntityContext, decision: string): SelfApproval {
    if (decision !== 'approve') return undefined;
    const approver = context.credentials.principal.userEntityRef.toLowerCase();
    if (request.requestedBy.toLowerCase() !== approver) return 'no';
    return this.deps.config.restore.allowSelfApproval ? 'allowed' : 'refused';
  }

  /** Checks a decision on a restore request; NotAllowedError when the caller may not make it. */
  async checkDecision(
    context: EntityContext,
    request: RestoreRequest,
    body: RestoreDecisionBody,
  ): Promise<void> {
    await this.authorize(kubeBackupRestoreApprovePermission, context);
    if (!(await this.owns(context))) {
      throw new NotAllowedError(
        `only an owner of ${context.entityRef} (${ownersText(context.entity)}) may decide on its restore requests`,
      );
    }
    if (this.selfApproval(request, context, body.decision) === 'refused') {
      throw new NotAllowedError(
        `${request.requestedBy} requested this restore; another owner of ${context.entityRef} (${ownersText(context.entity)}) must approve it`,
      );
    }
  }

  /**
   * Checks that the caller may download files of the entity's volumes; NotAllowedError
   * naming who may otherwise.
   */
  async checkFilesRead(context: EntityContext): Promise<void> {
    await this.authorize(kubeBackupSnapshotsReadPermission, context);
    const access = await this.ownerOrGranted(
      kubeBackupFilesReadPermission,
      context,
      'download files of',
    );
    if (access.refusal !== undefined) throw new NotAllowedError(access.refusal);
  }

  /** Whether the caller may download files of the entity's volumes. */
  async mayReadFiles(context: EntityContext): Promise<boolean> {
    const access = await this.ownerOrGranted(
      kubeBackupFilesReadPermission,
      context,
      'download files of',
    );
    return access.refusal === undefined;
  }

  private hydrationAccess(context: EntityContext): Promise<OwnerOrGrantedAccess> {
    return this.ownerOrGranted(kubeBackupHydratePermission, context, 'hydrate');
  }

  /**
   * Access that reads what a snapshot holds: the permission, and ownership of the entity or
   * a policy that grants the permission for this entity in particular.
   */
  private async ownerOrGranted(
    permission: ResourcePermission<'catalog-entity'>,
    context: EntityContext,
    verb: string,
  ): Promise<OwnerOrGrantedAccess> {
    if (!(await this.allowed(permission, context))) {
      return {
        refusal: `not allowed: ${permission.name} on ${context.entityRef}`,
      };
    }
    const ownershipRefs = await this.ownershipRefs(context.credentials);
    if (entityOwners(context.entity).some(owner => ownershipRefs.has(owner))) {
      return { owner: true, ownershipRefs };
    }
    // A policy that allows the permission to everyone says nothing about this entity; one
    // whose decision is conditional (and held for this entity, checked above) does.
    const [decision] = await this.deps.permissions.authorizeConditional([{ permission }], {
      credentials: context.credentials,
    });
    if (decision.result === AuthorizeResult.CONDITIONAL) return { owner: false, ownershipRefs };
    return {
      refusal: `only an owner of ${context.entityRef} (${ownersText(context.entity)}), or a user a permission policy grants ${permission.name} for it, may ${verb} it`,
    };
  }

  /** Targets for this entity whose allowedOwners (if any) include one of the caller's refs. */
  private targetsFor(context: EntityContext, refs: Set<string>): HydrationTargetConfig[] {
    const entityRef = context.entityRef.toLowerCase();
    return this.deps.config.targets.filter(
      target =>
        (!target.entities || target.entities.includes(entityRef)) &&
        (!target.allowedOwners || target.allowedOwners.some(ref => refs.has(ref))),
    );
  }

  private async owns(context: EntityContext): Promise<boolean> {
    const refs = await this.ownershipRefs(context.credentials);
    return entityOwners(context.entity).some(owner => refs.has(owner));
  }

  private async ownershipRefs(credentials: UserCredentials): Promise<Set<string>> {
    const info = await this.deps.userInfo.getUserInfo(credentials);
    return new Set([info.userEntityRef, ...info.ownershipEntityRefs].map(ref => ref.toLowerCase()));
  }

  /** The engine's protected namespaces, and those the config adds. */
  private isProtected(namespace: string): boolean {
    return (
      isProtectedNamespace(namespace) ||
      isProtectedNamespace(namespace, this.deps.config.protectedNamespaces)
    );
  }
}

function ownersText(entity: Entity): string {
  return entityOwners(entity).join(', ') || 'it has no owner';
}
