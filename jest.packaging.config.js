// The packaging suites, minutes each rather than seconds, so not part of the main jest run:
//   adopter  an app made by @backstage/create-app installs the packed packages as their
//            READMEs say (yarn test:adopter)
//   release  yarn release builds every artifact; its checksums and krew manifest hold
//            (yarn test:release)
// Both check the packages of one `yarn release`, made once before them.
// scripts/test.sh runs both after yarn test.
const { project } = require('./jest.project');

module.exports = {
  testTimeout: 180_000,
  // One release for both suites, made before them; they only read it, so they run side by
  // side (test/release/release-once.ts).
  globalSetup: '<rootDir>/test/release/global-setup.ts',
  globalTeardown: '<rootDir>/test/release/global-teardown.ts',
  maxWorkers: 2,
  projects: [
    project('adopter', ['<rootDir>/test/adopter']),
    project('release', ['<rootDir>/test/release']),
  ],
};
