// Builds the project's container images from local files, with no registry and no Docker
// engine: each definition in images/<name>/image.json lists the files of its layers (from
// Debian packages and this repository's build output) and its image config. An image
// stacks its layers on its `base` image's; a layer `{ "layersOf": NAME }` takes another
// image's layers as they are (the same blobs), without its config. The result is
// one OCI image layout holding every image (dist/images/oci, blobs shared) and one OCI
// archive per image (dist/images/<archive>.tar) that `ctr images import`, `kind load
// image-archive` and `skopeo copy oci-archive:` accept.
//
// An image is rebuilt only when its inputs change: a key over the definition, the
// parameters and every input file's path, size and modification time is kept beside the
// archive. Layers are reproducible (sorted, owner 0, mtime 0), so unchanged inputs give the
// same digests.
//
//   node scripts/build-images.mjs [--only NAME[,NAME]] [--out DIR] [--set PARAM=VALUE]...
//                                 [--name NAME=REFERENCE]... [--json]
//
// --name gives an image another reference (for a release: a registry and a version); the
// layout and archive carry it instead of the definition's. --json prints what was built.
import { spawn, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { createWriteStream, existsSync } from 'node:fs';
import {
  chmod,
  copyFile,
  link,
  lstat,
  mkdir,
  mkdtemp,
  readdir,
  readFile,
  rename,
  rm,
  stat,
  symlink,
  writeFile,
} from 'node:fs/promises';
import { dirname, join, relative, resolve } from 'node:path';
import { createGzip } from 'node:zlib';

const ROOT = resolve(dirname(process.argv[1] ?? '.'), '..');
const BUILDER_VERSION = '1';
const USAGE =
  'usage: build-images.mjs [--only NAME[,NAME]] [--out DIR] [--set PARAM=VALUE]... [--name NAME=REFERENCE]... [--json]';

const MEDIA = {
  index: 'application/vnd.oci.image.index.v1+json',
  manifest: 'application/vnd.oci.image.manifest.v1+json',
  config: 'application/vnd.oci.image.config.v1+json',
  layer: 'application/vnd.oci.image.layer.v1.tar+gzip',
};
/** GNU tar options that make a layer depend on file contents and modes only. */
const REPRODUCIBLE_TAR = [
  '--sort=name',
  '--mtime=@0',
  '--owner=0',
  '--group=0',
  '--numeric-owner',
  '--format=gnu',
];

function fail(message) {
  console.error(`build-images: ${message}`);
  process.exit(1);
}

function parseArgs(argv) {
  const args = { only: undefined, out: join(ROOT, 'dist/images'), set: {}, names: {}, json: false };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    const value = () => {
      const v = argv[++i];
      if (v === undefined) fail(`${arg} needs a value\n${USAGE}`);
      return v;
    };
    const pair = (text, what) => {
      const at = text.indexOf('=');
      if (at <= 0) fail(`${arg} takes ${what}=VALUE, got "${text}"\n${USAGE}`);
      return [text.slice(0, at), text.slice(at + 1)];
    };
    if (arg === '--only') args.only = value().split(',').filter(Boolean);
    else if (arg === '--out') args.out = resolve(value());
    else if (arg === '--set') {
      const [k, v] = pair(value(), 'PARAM');
      args.set[k] = v;
    } else if (arg === '--name') {
      const [k, v] = pair(value(), 'NAME');
      args.names[k] = v;
    } else if (arg === '--json') args.json = true;
    else if (arg === '-h' || arg === '--help') {
      console.log(USAGE);
      process.exit(0);
    } else fail(`unknown argument ${arg}\n${USAGE}`);
  }
  return args;
}

async function readDefinitions() {
  const dir = join(ROOT, 'images');
  const definitions = new Map();
  for (const entry of (await readdir(dir, { withFileTypes: true })).sort((a, b) =>
    a.name < b.name ? -1 : 1,
  )) {
    if (!entry.isDirectory()) continue;
    const file = join(dir, entry.name, 'image.json');
    if (!existsSync(file)) continue;
    const definition = JSON.parse(await readFile(file, 'utf8'));
    definitions.set(entry.name, { ...definition, name: entry.name, dir: join(dir, entry.name) });
  }
  return definitions;
}

function defaultParameters() {
  return {
    node: process.execPath,
    kubectlBackup: join(ROOT, 'kubectl-plugin/dist/kubectl-backup'),
  };
}

function substitute(text, parameters, definition) {
  return text.replace(/\$\{(\w+)\}/g, (_, key) => {
    if (parameters[key] === undefined)
      fail(`image ${definition.name}: no value for parameter "${key}" (--set ${key}=…)`);
    return parameters[key];
  });
}

/** Shared libraries an ELF executable loads (with the dynamic loader), from ldd. */
function librariesOf(file) {
  const result = spawnSync('ldd', [file], { encoding: 'utf8' });
  if (result.status !== 0) return []; // statically linked: "not a dynamic executable"
  const libraries = [];
  for (const line of result.stdout.split('\n')) {
    const match = /=>\s+(\/\S+)/.exec(line) ?? /^\s*(\/\S+)\s+\(/.exec(line);
    if (match) libraries.push(match[1]);
  }
  return libraries;
}

async function walk(dir) {
  const files = [];
  for (const entry of await readdir(dir, { withFileTypes: true, recursive: true })) {
    if (!entry.isDirectory()) files.push(join(entry.parentPath ?? entry.path, entry.name));
  }
  return files.sort();
}

/**
 * What goes into one layer: [{ source, target, mode? }] files, links and directories,
 * resolved from its definition. Missing inputs fail with the Debian package to install.
 */
async function planLayer(layer, definition, parameters) {
  const files = [];
  const links = [];
  const directories = layer.directories ?? [];
  for (const item of layer.copy ?? []) {
    const source = substitute(item.from, parameters, definition);
    if (!existsSync(source)) {
      if (item.optional) continue;
      fail(
        `image ${definition.name}: ${source} is missing` +
          (item.package ? ` (apt-get install ${item.package})` : ''),
      );
    }
    files.push({ source, target: item.to, mode: item.mode });
    if (item.libraries) {
      for (const library of librariesOf(source)) {
        files.push({ source: library, target: library });
      }
    }
  }
  if (layer.tree) {
    const tree = join(definition.dir, layer.tree);
    for (const file of await walk(tree)) {
      files.push({ source: file, target: `/${relative(tree, file)}` });
    }
  }
  if (layer.busyboxApplets) {
    const busybox = files.find(f => f.target === layer.busyboxApplets);
    if (!busybox) fail(`image ${definition.name}: busyboxApplets names no copied file`);
    const list = spawnSync(busybox.source, ['--list-full'], { encoding: 'utf8' });
    if (list.status !== 0) fail(`image ${definition.name}: ${busybox.source} --list-full failed`);
    for (const applet of list.stdout.split('\n').filter(Boolean)) {
      const target = `/${applet}`;
      if (target === layer.busyboxApplets) continue;
      links.push({ target, to: relative(dirname(target), layer.busyboxApplets) });
    }
  }
  return { files, links, directories };
}

/**
 * The cache key of an image: its definition, parameters, the keys of the images it builds
 * on and its input files' stats.
 */
async function inputKey(definition, plans, parameters, imageKeys) {
  const hash = createHash('sha256');
  hash.update(JSON.stringify({ BUILDER_VERSION, definition, parameters, imageKeys }));
  for (const plan of plans) {
    for (const file of plan.files ?? []) {
      const s = await stat(file.source);
      hash.update(`${file.source}\0${file.target}\0${s.size}\0${s.mtimeMs}\0${s.mode}\n`);
    }
  }
  return hash.digest('hex');
}

async function stageLayer(plan, dir) {
  for (const d of plan.directories) {
    await mkdir(join(dir, d.path), { recursive: true });
    if (d.mode) await chmod(join(dir, d.path), parseInt(d.mode, 8));
  }
  for (const file of plan.files) {
    const target = join(dir, file.target);
    await mkdir(dirname(target), { recursive: true });
    const s = await lstat(file.source);
    if (s.isSymbolicLink()) await copyFile(resolve(file.source), target);
    else await copyFile(file.source, target);
    await chmod(target, file.mode ? parseInt(file.mode, 8) : s.mode & 0o7777);
  }
  for (const l of plan.links) {
    const target = join(dir, l.target);
    await mkdir(dirname(target), { recursive: true });
    await rm(target, { force: true });
    await symlink(l.to, target);
  }
}

/** Tars a staged tree, hashing the tar (diffID) and its gzip (digest) in one pass. */
function packLayer(dir, blobsDir) {
  return new Promise((resolvePromise, reject) => {
    const entries = spawnSync('ls', ['-A', dir], { encoding: 'utf8' }).stdout.split('\n');
    const tar = spawn(
      'tar',
      [...REPRODUCIBLE_TAR, '-C', dir, '-cf', '-', ...entries.filter(Boolean)],
      {
        stdio: ['ignore', 'pipe', 'inherit'],
      },
    );
    const diffId = createHash('sha256');
    const digest = createHash('sha256');
    const gzip = createGzip({ level: 6 });
    const tmp = join(blobsDir, `.layer-${process.pid}-${Date.now()}`);
    const out = createWriteStream(tmp);
    let size = 0;
    tar.stdout.on('data', chunk => diffId.update(chunk));
    tar.stdout.pipe(gzip);
    gzip.on('data', chunk => {
      digest.update(chunk);
      size += chunk.length;
    });
    gzip.pipe(out);
    let tarCode;
    tar.on('exit', code => (tarCode = code));
    out.on('error', reject);
    out.on('finish', async () => {
      if (tarCode !== 0 && tarCode !== undefined) return reject(new Error(`tar exited ${tarCode}`));
      const hex = digest.digest('hex');
      await rename(tmp, join(blobsDir, hex));
      resolvePromise({ diffId: `sha256:${diffId.digest('hex')}`, digest: `sha256:${hex}`, size });
    });
  });
}

async function writeBlob(blobsDir, text) {
  const buffer = Buffer.from(text);
  const hex = createHash('sha256').update(buffer).digest('hex');
  const file = join(blobsDir, hex);
  if (!existsSync(file)) {
    await writeFile(`${file}.${process.pid}`, buffer);
    await rename(`${file}.${process.pid}`, file);
  }
  return { digest: `sha256:${hex}`, size: buffer.length };
}

async function writeAtomic(file, text) {
  await writeFile(`${file}.${process.pid}`, text);
  await rename(`${file}.${process.pid}`, file);
}

/** containerd's and the OCI layout's names for a reference: the full name and the tag. */
function annotations(reference) {
  const tag = /:([^/:]+)$/.exec(reference)?.[1] ?? 'latest';
  return { 'io.containerd.image.name': reference, 'org.opencontainers.image.ref.name': tag };
}

async function readJson(file) {
  return JSON.parse(await readFile(file, 'utf8'));
}

class Builder {
  constructor(definitions, args) {
    this.definitions = definitions;
    this.args = args;
    this.parameters = { ...defaultParameters(), ...args.set };
    this.layout = join(args.out, 'oci');
    this.blobs = join(this.layout, 'blobs/sha256');
    this.built = new Map();
  }

  reference(definition) {
    return this.args.names[definition.name] ?? definition.names[0];
  }

  /** Builds one image (and its base first); returns { key, manifest, layers, reference }. */
  async build(name) {
    if (this.built.has(name)) return this.built.get(name);
    const definition = this.definitions.get(name);
    if (!definition) fail(`no image definition "${name}" in images/`);
    const base = definition.base ? await this.build(definition.base) : undefined;
    const plans = [];
    for (const layer of definition.layers)
      plans.push(
        layer.layersOf
          ? { borrowed: await this.build(layer.layersOf) }
          : await planLayer(layer, definition, this.parameters),
      );
    const reference = this.reference(definition);
    const key = await inputKey(
      { ...definition, dir: undefined, reference },
      plans,
      this.parameters,
      [base?.key, ...plans.map(plan => plan.borrowed?.key)],
    );
    const stampFile = join(this.args.out, `${name}.json`);
    const stamp = existsSync(stampFile) ? await readJson(stampFile) : undefined;
    const archive = join(this.args.out, definition.archive);
    if (
      stamp?.key === key &&
      existsSync(archive) &&
      existsSync(join(this.blobs, stamp.manifest.digest.slice(7)))
    ) {
      const result = { ...stamp, archive, cached: true };
      this.built.set(name, result);
      return result;
    }
    console.error(`build-images: building ${reference}`);
    const layers = [...(base?.layers ?? [])];
    const history = [...(base?.history ?? [])];
    for (const [i, plan] of plans.entries()) {
      if (plan.borrowed) {
        layers.push(...plan.borrowed.layers);
        history.push(...plan.borrowed.history);
        continue;
      }
      const stage = await mkdtemp(join(this.args.out, '.stage-'));
      try {
        await stageLayer(plan, stage);
        layers.push(await packLayer(stage, this.blobs));
        history.push({
          created: '1970-01-01T00:00:00Z',
          created_by: `images/${name}/image.json layer ${i + 1}`,
        });
      } finally {
        await rm(stage, { recursive: true, force: true });
      }
    }
    const config = {
      created: '1970-01-01T00:00:00Z',
      architecture: 'amd64',
      os: 'linux',
      config: { ...(base?.config ?? {}), ...definition.config },
      rootfs: { type: 'layers', diff_ids: layers.map(l => l.diffId) },
      history,
    };
    const configBlob = await writeBlob(this.blobs, JSON.stringify(config));
    const manifestText = JSON.stringify({
      schemaVersion: 2,
      mediaType: MEDIA.manifest,
      config: { mediaType: MEDIA.config, ...configBlob },
      layers: layers.map(l => ({ mediaType: MEDIA.layer, digest: l.digest, size: l.size })),
    });
    const manifest = await writeBlob(this.blobs, manifestText);
    await this.writeArchive(archive, reference, manifest, [configBlob, ...layers]);
    const result = { key, reference, manifest, layers, config: config.config, history, archive };
    await writeAtomic(stampFile, JSON.stringify(result, null, 2));
    this.built.set(name, result);
    return result;
  }

  /** One image as an OCI archive: oci-layout, index.json and its blobs, in a tar. */
  async writeArchive(archive, reference, manifest, blobs) {
    const stage = await mkdtemp(join(this.args.out, '.archive-'));
    try {
      await mkdir(join(stage, 'blobs/sha256'), { recursive: true });
      await writeFile(join(stage, 'oci-layout'), JSON.stringify({ imageLayoutVersion: '1.0.0' }));
      await writeFile(
        join(stage, 'index.json'),
        JSON.stringify({
          schemaVersion: 2,
          mediaType: MEDIA.index,
          manifests: [
            { mediaType: MEDIA.manifest, ...manifest, annotations: annotations(reference) },
          ],
        }),
      );
      for (const blob of [manifest, ...blobs]) {
        const hex = blob.digest.slice(7);
        await link(join(this.blobs, hex), join(stage, 'blobs/sha256', hex));
      }
      const tmp = `${archive}.${process.pid}`;
      const tar = spawnSync(
        'tar',
        [...REPRODUCIBLE_TAR, '-C', stage, '-cf', tmp, 'oci-layout', 'index.json', 'blobs'],
        { stdio: 'inherit' },
      );
      if (tar.status !== 0) fail(`tar failed writing ${archive}`);
      await rename(tmp, archive);
    } finally {
      await rm(stage, { recursive: true, force: true });
    }
  }

  /** The layout's index.json names every image built here (and keeps what others built). */
  async writeIndex() {
    const indexFile = join(this.layout, 'index.json');
    const index = existsSync(indexFile) ? await readJson(indexFile) : { manifests: [] };
    const built = [...this.built.values()];
    const names = new Set(built.map(b => b.reference));
    const manifests = index.manifests.filter(
      m => !names.has(m.annotations?.['io.containerd.image.name']),
    );
    for (const b of built) {
      manifests.push({
        mediaType: MEDIA.manifest,
        ...b.manifest,
        annotations: annotations(b.reference),
      });
    }
    await writeAtomic(
      indexFile,
      JSON.stringify({ schemaVersion: 2, mediaType: MEDIA.index, manifests }, null, 2),
    );
  }
}

/**
 * One build at a time per output folder (test files start clusters in parallel): a lock
 * directory naming its holder, taken over when the holder is gone.
 */
async function withLock(out, fn) {
  const lock = join(out, '.lock');
  const deadline = Date.now() + 10 * 60_000;
  for (;;) {
    try {
      await mkdir(lock);
      await writeFile(join(lock, 'pid'), String(process.pid));
      break;
    } catch (error) {
      if (error.code !== 'EEXIST') throw error;
      const holder = Number(await readFile(join(lock, 'pid'), 'utf8').catch(() => '0'));
      if (holder && !isAlive(holder)) {
        await rm(lock, { recursive: true, force: true });
        continue;
      }
      if (Date.now() > deadline) fail(`${lock} is held by process ${holder}`);
      await new Promise(r => setTimeout(r, 100));
    }
  }
  try {
    return await fn();
  } finally {
    await rm(lock, { recursive: true, force: true });
  }
}

function isAlive(pid) {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return error.code === 'EPERM';
  }
}

async function main() {
  const args = parseArgs(process.argv.slice(2));
  const definitions = await readDefinitions();
  const names = args.only ?? [...definitions.keys()];
  for (const name of names)
    if (!definitions.has(name)) fail(`no image definition "${name}" in images/`);
  for (const name of Object.keys(args.names))
    if (!definitions.has(name)) fail(`--name ${name}=…: no image definition "${name}" in images/`);
  await mkdir(join(args.out, 'oci/blobs/sha256'), { recursive: true });
  await writeAtomic(
    join(args.out, 'oci/oci-layout'),
    JSON.stringify({ imageLayoutVersion: '1.0.0' }),
  );
  const results = await withLock(args.out, async () => {
    const builder = new Builder(definitions, args);
    const out = [];
    for (const name of names) out.push({ name, ...(await builder.build(name)) });
    await builder.writeIndex();
    return out;
  });
  const summary = {
    layout: join(args.out, 'oci'),
    images: results.map(r => ({
      name: r.name,
      reference: r.reference,
      digest: r.manifest.digest,
      archive: r.archive,
      cached: r.cached === true,
    })),
  };
  if (args.json) console.log(JSON.stringify(summary, null, 2));
  else
    for (const image of summary.images)
      console.log(`${image.reference}@${image.digest} ${relative(process.cwd(), image.archive)}`);
}

main().catch(error => fail(error instanceof Error ? error.message : String(error)));
