// Backstage's frontend packages (and some of their dependencies) are published as ES modules
// only, and the root jest config transforms only the node_modules packages it lists. A test
// imports this module before anything from Backstage: it bundles those packages once into a
// CommonJS file with esbuild (cached under node_modules/.cache, keyed by their versions) and
// points jest's module registry at it. React, react-dom, react-router, Material UI and the
// Testing Library stay external, so the test and the bundle share one copy of each.
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

const BUNDLED = [
  '@backstage/core-plugin-api',
  '@backstage/core-components',
  '@backstage/core-app-api',
  '@backstage/test-utils',
  '@backstage/plugin-catalog-react',
  '@backstage/plugin-catalog-react/alpha',
  '@backstage/frontend-plugin-api',
  '@backstage/theme',
  '@backstage/version-bridge',
];

const EXTERNAL = [
  'react',
  'react/*',
  'react-dom',
  'react-dom/*',
  'react-router',
  'react-router-dom',
  '@material-ui/*',
  '@testing-library/*',
  '@backstage/errors',
  '@backstage/catalog-model',
  '@backstage/config',
  '@backstage/types',
  '@kube-backup/*',
];

function packageRoot(): string {
  let dir = __dirname;
  while (!existsSync(join(dir, 'node_modules', '@backstage', 'core-plugin-api'))) {
    const parent = dirname(dir);
    if (parent === dir) throw new Error('cannot find node_modules/@backstage/core-plugin-api');
    dir = parent;
  }
  return dir;
}

function bundlePath(): string {
  const root = packageRoot();
  const hash = createHash('sha256');
  hash.update(JSON.stringify([BUNDLED, EXTERNAL]));
  for (const name of new Set(
    BUNDLED.map(specifier => specifier.split('/').slice(0, 2).join('/')),
  )) {
    const manifest = join(root, 'node_modules', name, 'package.json');
    hash.update(`${name}@${JSON.parse(readFileSync(manifest, 'utf8')).version}`);
  }
  const dir = join(root, 'node_modules', '.cache', 'kube-backup-jest');
  const file = join(dir, `backstage-${hash.digest('hex').slice(0, 16)}.cjs`);
  if (existsSync(file)) return file;
  mkdirSync(dir, { recursive: true });
  const entry = BUNDLED.map((specifier, index) => `export * as m${index} from '${specifier}';`);
  const temp = `${file}.${process.pid}.tmp`;
  const options = {
    stdin: { contents: entry.join('\n'), resolveDir: root, loader: 'js' },
    bundle: true,
    format: 'cjs',
    platform: 'browser',
    target: 'es2022',
    outfile: temp,
    external: EXTERNAL,
    define: { 'process.env.NODE_ENV': '"test"' },
    loader: { '.css': 'empty', '.svg': 'dataurl', '.png': 'dataurl', '.woff2': 'dataurl' },
    logLevel: 'error',
  };
  // In a separate process: esbuild refuses to run inside jsdom's globals.
  execFileSync(
    process.execPath,
    ['-e', `require('esbuild').buildSync(${JSON.stringify(options)})`],
    { cwd: root, stdio: ['ignore', 'inherit', 'inherit'] },
  );
  renameSync(temp, file);
  writeFileSync(join(dir, 'README'), 'CommonJS bundles of ESM-only Backstage packages for jest\n');
  return file;
}

const file = bundlePath();
BUNDLED.forEach((specifier, index) => {
  jest.doMock(specifier, () => jest.requireActual<Record<string, unknown>>(file)[`m${index}`]);
});
