// One jest run covers every workspace. The adopter test (an app made by
// @backstage/create-app installing the packed packages) has its own configuration:
// yarn test:adopter.
const { project } = require('./jest.project');

module.exports = {
  testTimeout: 180_000,
  projects: [
    project('core', ['<rootDir>/shared']),
    project('kubectl-plugin', ['<rootDir>/kubectl-plugin']),
    project('test-server', ['<rootDir>/test/src']),
    project('e2e', ['<rootDir>/test/e2e']),
    project('backstage', ['<rootDir>/plugins']),
  ],
};
