// The fast lane (`yarn test:unit`): the unit suites of the engine, the CLI and the rules the
// portal's browser and server share. Nothing here starts a component or needs a build; the
// suites that do (the test cluster, restic, an S3 server, PostgreSQL, Chromium, the built
// CLI) run in the full suite, `yarn test`.
const { project } = require('./jest.project');

/** Core suites that start a component: they belong to the full suite only. */
const COMPONENT_SUITES = [
  '/shared/src/repository/s3\\.test\\.ts$', // an S3 protocol server in a child process
  '/shared/src/volumes/maintenance\\.test\\.ts$', // restic
  '/shared/src/volumes/leftovers\\.test\\.ts$', // the Kubernetes test cluster
];

module.exports = {
  testTimeout: 180_000,
  projects: [
    project('core', ['<rootDir>/shared'], {
      testPathIgnorePatterns: ['/node_modules/', ...COMPONENT_SUITES],
    }),
    project('kubectl-plugin', ['<rootDir>/kubectl-plugin']),
    project('common', ['<rootDir>/plugins/kube-backup-common']),
  ],
};
