// One jest run covers every workspace. The adopter test (an app made by
// @backstage/create-app installing the packed packages) has its own configuration:
// yarn test:adopter.
const { project } = require('./jest.project');

module.exports = {
  testTimeout: 180_000,
  // Two suites at a time, even on two cores (jest's default there is one): a suite spends
  // much of its time waiting on the processes it drives (kubectl, restic, runc containers,
  // Chromium), and another suite's work fills those waits. On an idle 2-core machine the
  // whole run took 908 s one suite at a time and 740 s two at a time.
  maxWorkers: 2,
  projects: [
    project('core', ['<rootDir>/shared']),
    project('kubectl-plugin', ['<rootDir>/kubectl-plugin']),
    project('test-server', ['<rootDir>/test/src']),
    project('e2e', ['<rootDir>/test/e2e']),
    project('backstage', ['<rootDir>/plugins']),
  ],
};
