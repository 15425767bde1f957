// yarn test:adopter: an app made by @backstage/create-app installs the packed packages as
// their READMEs say. Minutes, not seconds, so it is not part of the main jest run.
const { join } = require('node:path');
const { project } = require('../../jest.project');

const rootDir = join(__dirname, '../..');

module.exports = {
  rootDir,
  testTimeout: 60000,
  projects: [project('adopter', ['<rootDir>/test/adopter'], { rootDir })],
};
