// A jest project over some roots of this repository. @kubernetes/client-node 2.x and a few
// of its dependencies ship only ES modules, so they go through the same SWC transform as
// our TypeScript; everything else in node_modules is loaded as published.
const esmPackages = [
  '@kubernetes/client-node',
  'https-proxy-agent',
  'http-proxy-agent',
  'socks-proxy-agent',
  'agent-base',
  'proxy-agent-negotiate',
  'openid-client',
  'oauth4webapi',
  'jose',
  'yargs',
  'yargs-parser',
  'cliui',
  'y18n',
  'escalade',
  'get-caller-file',
  'string-width',
  'strip-ansi',
  'ansi-regex',
  'emoji-regex',
  'get-east-asian-width',
  'wrap-ansi',
  'ansi-styles',
];

const swc = [
  require.resolve('./jest.transform.js'),
  {
    jsc: {
      parser: { syntax: 'typescript', tsx: true },
      target: 'es2022',
      transform: { react: { runtime: 'automatic' } },
    },
    module: { type: 'commonjs' },
  },
];

exports.project = (displayName, roots, extra = {}) => ({
  displayName,
  roots,
  testEnvironment: 'node',
  transform: { '^.+\\.(t|j|mj)sx?$': swc },
  transformIgnorePatterns: [`/node_modules/(?!(${esmPackages.join('|')})/)`],
  moduleFileExtensions: ['ts', 'tsx', 'js', 'mjs', 'cjs', 'json'],
  testMatch: ['**/*.test.ts', '**/*.test.tsx'],
  ...extra,
});
