import { authServiceFactory } from '@backstage/backend-defaults/auth';
import { httpAuthServiceFactory } from '@backstage/backend-defaults/httpAuth';
import { userInfoServiceFactory } from '@backstage/backend-defaults/userInfo';
import {
  coreServices,
  createServiceFactory,
  type BackstageCredentials,
} from '@backstage/backend-plugin-api';
import { mockServices, startTestBackend } from '@backstage/backend-test-utils';
import type { Entity } from '@backstage/catalog-model';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import {
  AuthorizeResult,
  type PolicyDecision,
  type QueryPermissionRequest,
} from '@backstage/plugin-permission-common';
import type { JsonObject } from '@backstage/types';
import type { Server } from 'node:http';
import type { Knex } from 'knex';
import { kubeBackupPlugin } from '../plugin';
import { recordingAuditor, type RecordingAuditor } from './audit';
import { TEST_SIGN_IN_PROVIDER, TEST_USER_HEADER, testSignInModule } from './signIn';
import { newSqliteDatabase } from './sqlite';

/**
 * A permission policy's decision for a user: allowed or denied outright, or allowed only for
 * some entities (a conditional decision, as a policy using the catalog's rules returns).
 */
export type TestPolicyDecision =
  AuthorizeResult.ALLOW | AuthorizeResult.DENY | { onlyForEntities: string[] };

export interface TestBackendOptions {
  repository: { location: string; password: string };
  /** The Kubernetes API test server's kubeconfig: it plays the production and the dev cluster. */
  kubeconfig: string;
  /** The kubeconfig's context (default the test server's, `kube-test`). */
  context?: string;
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
  policy?: (permission: string, user: string) => TestPolicyDecision;
  /** Further `kubeBackup` config (namespaceOwners, restore…). */
  config?: JsonObject;
  /** The `kubeBackup.volumes` config block. */
  volumes?: JsonObject;
  /** Further service factories, an auditor mock say. */
  features?: Parameters<typeof startTestBackend>[0]['features'];
}

export interface TestBackend {
  /** The backend's HTTP port. */
  port: number;
  /** Every audit event the plugin recorded; waiting for one waits for the work it audits. */
  audit: RecordingAuditor;
  /** A Backstage user token the auth backend issued for `user`. */
  tokenFor(user: string): Promise<string>;
  /** JSON request to the plugin's router as `user`, with that user's token. */
  call<T>(
    path: string,
    options?: { user?: string; method?: string; body?: unknown },
  ): Promise<{ status: number; body: T }>;
  stop(): Promise<void>;
}

/**
 * The kube-backup backend plugin in a Backstage test backend with Backstage's auth backend:
 * requests carry real user tokens, checked by the real httpAuth and resolved into ownership
 * refs by the real userInfo service. Permissions follow `policy` (default: all allowed).
 */
export async function startKubeBackupTestBackend(
  options: TestBackendOptions & { defaultUser: string },
): Promise<TestBackend> {
  // The auth backend keeps its keys and sessions in a database of its own.
  const authDatabase = newSqliteDatabase();
  const database = createServiceFactory({
    service: coreServices.database,
    deps: { plugin: coreServices.pluginMetadata },
    factory: ({ plugin }) => ({
      getClient: async () => (plugin.getId() === 'kube-backup' ? options.knex : authDatabase),
    }),
  });
  const { policy } = options;
  const context = options.context ?? 'kube-test';
  const audit = recordingAuditor();
  const permissions = createServiceFactory({
    service: coreServices.permissions,
    deps: {},
    factory: () => {
      const decisionOf = (name: string, credentials: BackstageCredentials) => {
        const user = (credentials.principal as { userEntityRef?: string }).userEntityRef ?? '';
        return policy ? policy(name, user) : AuthorizeResult.ALLOW;
      };
      return {
        // With a resource: the policy's conditions applied to it, as the permission
        // framework applies them through the plugin owning the resource type.
        async authorize(
          requests: Array<{ permission: { name: string }; resourceRef?: string }>,
          { credentials }: { credentials: BackstageCredentials },
        ) {
          return requests.map(request => {
            const decision = decisionOf(request.permission.name, credentials);
            if (typeof decision !== 'object') return { result: decision };
            const allowed =
              request.resourceRef !== undefined &&
              decision.onlyForEntities.includes(request.resourceRef);
            return { result: allowed ? AuthorizeResult.ALLOW : AuthorizeResult.DENY };
          });
        },
        async authorizeConditional(
          requests: QueryPermissionRequest[],
          { credentials }: { credentials: BackstageCredentials },
        ): Promise<PolicyDecision[]> {
          return requests.map(request => {
            const decision = decisionOf(request.permission.name, credentials);
            if (typeof decision !== 'object') return { result: decision };
            return {
              result: AuthorizeResult.CONDITIONAL,
              pluginId: 'catalog',
              resourceType: 'catalog-entity',
              conditions: {
                rule: 'IS_ENTITY_REF',
                resourceType: 'catalog-entity',
                params: { refs: decision.onlyForEntities },
              },
            };
          });
        },
      };
    },
  });
  const backend = await startTestBackend({
    features: [
      kubeBackupPlugin,
      import('@backstage/plugin-auth-backend'),
      testSignInModule(options.memberships),
      authServiceFactory,
      httpAuthServiceFactory,
      userInfoServiceFactory,
      mockServices.rootConfig.factory({
        data: {
          app: { baseUrl: 'http://localhost:3000' },
          auth: { environment: 'development', providers: { [TEST_SIGN_IN_PROVIDER]: {} } },
          kubeBackup: {
            repository: options.repository,
            clusters: [
              { name: 'production', kubeconfig: options.kubeconfig, context },
              { name: 'dev', kubeconfig: options.kubeconfig, context },
            ],
            productionCluster: 'production',
            hydration: { targets: options.hydrationTargets },
            protectedNamespaces: options.protectedNamespaces,
            ...options.config,
            ...(options.volumes ? { volumes: options.volumes } : {}),
          },
        },
      }),
      database,
      permissions,
      catalogServiceMock.factory({ entities: options.entities }),
      audit.factory,
    ],
  });
  const { port } = (backend.server as Server).address() as { port: number };
  const api = `http://localhost:${port}/api`;
  const tokens = new Map<string, Promise<string>>();
  const tokenFor = (user: string) => {
    let token = tokens.get(user);
    if (!token) {
      token = signIn(api, user);
      tokens.set(user, token);
    }
    return token;
  };
  return {
    port,
    audit,
    tokenFor,
    async call<T>(path: string, request: { user?: string; method?: string; body?: unknown } = {}) {
      const token = await tokenFor(request.user ?? options.defaultUser);
      const response = await fetch(`${api}/kube-backup${path}`, {
        method: request.method ?? 'GET',
        headers: {
          Authorization: `Bearer ${token}`,
          ...(request.body ? { 'Content-Type': 'application/json' } : {}),
        },
        body: request.body ? JSON.stringify(request.body) : undefined,
      });
      return { status: response.status, body: (await response.json()) as T };
    },
    async stop() {
      await backend.stop();
      await authDatabase.destroy();
    },
  };
}

/** Signs `user` in through the auth backend, as the app's sign-in page would. */
async function signIn(api: string, user: string): Promise<string> {
  const response = await fetch(`${api}/auth/${TEST_SIGN_IN_PROVIDER}/refresh`, {
    headers: { [TEST_USER_HEADER]: user },
  });
  if (!response.ok) {
    throw new Error(`signing in ${user} failed: ${response.status} ${await response.text()}`);
  }
  const body = (await response.json()) as { backstageIdentity: { token: string } };
  return body.backstageIdentity.token;
}
