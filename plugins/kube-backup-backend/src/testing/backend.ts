import {
  coreServices,
  createServiceFactory,
  type BackstageCredentials,
} from '@backstage/backend-plugin-api';
import { mockCredentials, mockServices, startTestBackend } from '@backstage/backend-test-utils';
import type { Entity } from '@backstage/catalog-model';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import { AuthorizeResult } from '@backstage/plugin-permission-common';
import type { JsonObject } from '@backstage/types';
import type { Server } from 'node:http';
import type { Knex } from 'knex';
import { kubeBackupPlugin } from '../plugin';

export interface TestBackendOptions {
  repository: { location: string; password: string };
  /** The Kubernetes API test server's kubeconfig: it plays the production and the dev cluster. */
  kubeconfig: string;
  hydrationTargets: JsonObject[];
  protectedNamespaces: string[];
  knex: Knex;
  entities: Entity[];
  /** Groups each user belongs to, as the catalog would resolve them into ownership refs. */
  memberships: Record<string, string[]>;
  /**
   * The permission policy, as a permission backend would apply it: the decision for a
   * permission asked by a user. Default: everything allowed.
   */
  policy?: (permission: string, user: string) => AuthorizeResult.ALLOW | AuthorizeResult.DENY;
  /** The `kubeBackup.volumes` config block. */
  volumes?: JsonObject;
  /** Further service factories, an auditor mock say. */
  features?: Parameters<typeof startTestBackend>[0]['features'];
}

export interface TestBackend {
  /** The backend's HTTP port. */
  port: number;
  /** JSON request to the plugin's router as `user`, with Backstage's mock credentials. */
  call<T>(
    path: string,
    options?: { user?: string; method?: string; body?: unknown },
  ): Promise<{ status: number; body: T }>;
  stop(): Promise<void>;
}

/** The kube-backup backend plugin in a Backstage test backend, with permissions allowed. */
export async function startKubeBackupTestBackend(
  options: TestBackendOptions & { defaultUser: string },
): Promise<TestBackend> {
  const userInfo = createServiceFactory({
    service: coreServices.userInfo,
    deps: {},
    factory: () => ({
      async getUserInfo(credentials) {
        const ref = (credentials.principal as { userEntityRef: string }).userEntityRef;
        return {
          userEntityRef: ref,
          ownershipEntityRefs: [ref, ...(options.memberships[ref] ?? [])],
        };
      },
    }),
  });
  const { policy } = options;
  const permissions = policy
    ? createServiceFactory({
        service: coreServices.permissions,
        deps: {},
        factory: () => {
          const decide = async (
            requests: Array<{ permission: { name: string } }>,
            { credentials }: { credentials: BackstageCredentials },
          ) => {
            const user = (credentials.principal as { userEntityRef?: string }).userEntityRef ?? '';
            return requests.map(request => ({ result: policy(request.permission.name, user) }));
          };
          return { authorize: decide, authorizeConditional: decide };
        },
      })
    : mockServices.permissions.factory({ result: AuthorizeResult.ALLOW });
  const backend = await startTestBackend({
    features: [
      kubeBackupPlugin,
      mockServices.rootConfig.factory({
        data: {
          kubeBackup: {
            repository: options.repository,
            clusters: [
              { name: 'production', kubeconfig: options.kubeconfig, context: 'kube-test' },
              { name: 'dev', kubeconfig: options.kubeconfig, context: 'kube-test' },
            ],
            productionCluster: 'production',
            hydration: { targets: options.hydrationTargets },
            protectedNamespaces: options.protectedNamespaces,
            ...(options.volumes ? { volumes: options.volumes } : {}),
          },
        },
      }),
      mockServices.database.factory({ knex: options.knex }),
      permissions,
      catalogServiceMock.factory({ entities: options.entities }),
      userInfo,
      ...(options.features ?? []),
    ],
  });
  const { port } = (backend.server as Server).address() as { port: number };
  const base = `http://localhost:${port}/api/kube-backup`;
  return {
    port,
    async call<T>(path: string, request: { user?: string; method?: string; body?: unknown } = {}) {
      const response = await fetch(`${base}${path}`, {
        method: request.method ?? 'GET',
        headers: {
          Authorization: mockCredentials.user.header(request.user ?? options.defaultUser),
          ...(request.body ? { 'Content-Type': 'application/json' } : {}),
        },
        body: request.body ? JSON.stringify(request.body) : undefined,
      });
      return { status: response.status, body: (await response.json()) as T };
    },
    stop: () => backend.stop(),
  };
}
