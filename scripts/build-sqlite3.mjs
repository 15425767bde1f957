// Builds the sqlite3 driver that the backend plugin's SQLite suites use; the repository's
// own postinstall runs it (the published backend package has no install script). Yarn runs
// no install scripts of dependencies here, and sqlite3's prebuilt download could not reach
// its host anyway, so its binding is compiled from source against the headers of the Node
// in use (npm_config_nodedir, set by scripts/toolchain.sh) or else the ones a Debian machine
// ships (/usr/include/node): it uses Node-API, which is ABI-stable. A failed build leaves
// the SQLite suites skipped.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

const require = createRequire(import.meta.url);
const sqlite = dirname(require.resolve('sqlite3/package.json'));
if (!existsSync(join(sqlite, 'build', 'Release', 'node_sqlite3.node'))) {
  const nodeGyp = require.resolve('node-gyp/bin/node-gyp.js');
  const nodedir = process.env.npm_config_nodedir;
  const headers = nodedir
    ? [`--nodedir=${nodedir}`]
    : existsSync('/usr/include/node/node_api.h')
      ? ['--nodedir=/usr']
      : [];
  console.log('building the sqlite3 driver from source (about a minute)…');
  const result = spawnSync(process.execPath, [nodeGyp, 'rebuild', '--jobs=max', ...headers], {
    cwd: sqlite,
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  if (result.status !== 0)
    console.warn('warning: sqlite3 did not build; the SQLite suites will be skipped');
}
