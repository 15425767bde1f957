// Bundles the executables: each is one self-contained CommonJS file that needs no
// node_modules at run time.
import { build } from 'esbuild';
import { chmod } from 'node:fs/promises';

const common = {
  bundle: true,
  platform: 'node',
  target: 'node22',
  format: 'cjs',
  minify: true,
  legalComments: 'none',
  logLevel: 'warning',
  // ESM-only dependencies (yargs, the Kubernetes client) read import.meta.url, which a
  // CommonJS bundle supplies from its own file name.
  define: { 'import.meta.url': '__bundle_import_meta_url' },
};
const importMetaUrl =
  "var __bundle_import_meta_url = require('node:url').pathToFileURL(__filename).href;";

/**
 * The engine (with the Kubernetes and AWS clients) is most of the plugin's code but `--help`
 * and usage errors never need it. It is bundled on its own and embedded as a string that
 * is compiled on first use: V8 skims a string literal far faster than it pre-parses code,
 * which keeps the cold start close to bare Node.
 */
async function embeddedCorePlugin() {
  const core = await build({
    ...common,
    entryPoints: ['shared/src/index.ts'],
    write: false,
    banner: { js: importMetaUrl },
  });
  const code = core.outputFiles[0].text;
  return {
    name: 'embedded-core',
    setup(pluginBuild) {
      pluginBuild.onResolve({ filter: /^@kube-backup\/core$/ }, () => ({
        path: 'core',
        namespace: 'embedded-core',
      }));
      pluginBuild.onLoad({ filter: /.*/, namespace: 'embedded-core' }, () => ({
        loader: 'js',
        contents: `const Module = require('node:module');
const engine = new Module(__filename, module);
engine.filename = __filename;
engine.paths = module.paths;
engine._compile(${JSON.stringify(code)}, __filename);
module.exports = engine.exports;`,
      }));
    },
  };
}

async function executable(entry, outfile, plugins = []) {
  await build({
    ...common,
    entryPoints: [entry],
    outfile,
    plugins,
    banner: { js: `#!/usr/bin/env node\n${importMetaUrl}` },
  });
  await chmod(outfile, 0o755);
}

await executable('kubectl-plugin/src/main.ts', 'kubectl-plugin/dist/kubectl-backup', [
  await embeddedCorePlugin(),
]);
await executable('test/src/server/main.ts', 'test/dist/kube-test-server.js');
