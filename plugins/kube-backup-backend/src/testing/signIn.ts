// Test helper: a sign-in provider for Backstage's auth backend that signs in whichever user
// a request names, so a test holds real Backstage user tokens (signed by the auth backend,
// verified by the plugin's httpAuth, resolved by the userInfo service) for several users.
import { createBackendModule } from '@backstage/backend-plugin-api';
import { AuthenticationError } from '@backstage/errors';
import {
  authProvidersExtensionPoint,
  createProxyAuthenticator,
  createProxyAuthProviderFactory,
} from '@backstage/plugin-auth-node';

/** The provider id: its refresh route is `/api/auth/kube-backup-test/refresh`. */
export const TEST_SIGN_IN_PROVIDER = 'kube-backup-test';
/** The request header naming the user to sign in. */
export const TEST_USER_HEADER = 'x-kube-backup-test-user';

const testUserAuthenticator = createProxyAuthenticator({
  defaultProfileTransform: async () => ({ profile: {} }),
  initialize: () => undefined,
  async authenticate({ req }) {
    const user = req.header(TEST_USER_HEADER);
    if (!user) throw new AuthenticationError(`no ${TEST_USER_HEADER} header`);
    return { result: { user } };
  },
});

/**
 * The auth backend module: `memberships` are the groups each user belongs to, which become
 * the user's ownership refs as a catalog sign-in resolver would make them.
 */
export function testSignInModule(memberships: Record<string, string[]>) {
  return createBackendModule({
    pluginId: 'auth',
    moduleId: 'kube-backup-test-sign-in',
    register(reg) {
      reg.registerInit({
        deps: { providers: authProvidersExtensionPoint },
        async init({ providers }) {
          providers.registerProvider({
            providerId: TEST_SIGN_IN_PROVIDER,
            factory: createProxyAuthProviderFactory({
              authenticator: testUserAuthenticator,
              async signInResolver({ result }, context) {
                return context.issueToken({
                  claims: {
                    sub: result.user,
                    ent: [result.user, ...(memberships[result.user] ?? [])],
                  },
                });
              },
            }),
          });
        },
      });
    },
  });
}
