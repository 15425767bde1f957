// The packaging suites, minutes each rather than seconds, so not part of the main jest run:
//   adopter  an app made by @backstage/create-app installs the packed packages as their
//            READMEs say (yarn test:adopter)
//   release  yarn release builds every artifact; its checksums and krew manifest hold
//            (yarn test:release)
// scripts/test.sh runs both after yarn test.
const { project } = require('./jest.project');

module.exports = {
  testTimeout: 180_000,
  // One after the other: both pack the workspaces, and packing rewrites a workspace's
  // package.json until it is done.
  maxWorkers: 1,
  projects: [
    project('adopter', ['<rootDir>/test/adopter']),
    project('release', ['<rootDir>/test/release']),
  ],
};
