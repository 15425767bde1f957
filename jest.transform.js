// TypeScript, and the packages that ship only ES modules, as CommonJS for jest through SWC.
// yargs' ES-module platform shim declares top-level `__dirname` and `require` of its own,
// names the CommonJS module wrapper already binds; in that one file they are renamed first.
const { createTransformer: createSwcTransformer } = require('@swc/jest');

const YARGS_SHIM = /[\\/]yargs[\\/]lib[\\/]platform-shims[\\/]esm\.mjs$/;

function renameShimBindings(source, filename) {
  if (!YARGS_SHIM.test(filename)) return source;
  return source
    .replace(/\b__dirname\b/g, '__yargsShimDirname')
    .replace('const require = ', 'const yargsShimRequire = ')
    .replace(/^(\s+)require,$/m, '$1require: yargsShimRequire,');
}

exports.createTransformer = options => {
  const swc = createSwcTransformer(options);
  return {
    ...swc,
    process: (source, filename, jestOptions) =>
      swc.process(renameShimBindings(source, filename), filename, jestOptions),
    getCacheKey: (source, filename, ...rest) =>
      `${swc.getCacheKey(source, filename, ...rest)}-shim-renamed`,
  };
};
