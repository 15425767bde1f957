/**
 * The node's image store: references resolved against the project's image definitions
 * (images/<name>/image.json), built on first use by scripts/build-images.mjs into the OCI
 * layout under dist/images, and layers unpacked once into directories that container root
 * filesystems stack with overlayfs. Anything else cannot be pulled, as on a cluster without
 * a registry.
 */
import { execFile } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rename, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { hostOrThrow } from './runc';

const execFileAsync = promisify(execFile);

export interface ImageConfig {
  Env?: string[];
  Entrypoint?: string[];
  Cmd?: string[];
  WorkingDir?: string;
  User?: string;
}

export interface PulledImage {
  /** The reference as the kubelet reports it (`docker.io/library/busybox:latest`). */
  reference: string;
  /** `docker.io/library/busybox@sha256:…`, the containerStatuses imageID. */
  imageID: string;
  config: ImageConfig;
  /** Unpacked layer directories, lowest first. */
  layers: string[];
}

/** A pull that failed, worded as the kubelet reports it. */
export class ImagePullError extends Error {}

/** Docker's normalisation: `busybox` → `docker.io/library/busybox:latest`. */
export function normalizeReference(image: string): string {
  const at = image.indexOf('@');
  let name = at >= 0 ? image.slice(0, at) : image;
  const digest = at >= 0 ? image.slice(at) : '';
  const slash = name.indexOf('/');
  const first = slash >= 0 ? name.slice(0, slash) : '';
  if (slash < 0) name = `docker.io/library/${name}`;
  else if (!first.includes('.') && !first.includes(':') && first !== 'localhost')
    name = `docker.io/${name}`;
  const lastPart = name.slice(name.lastIndexOf('/') + 1);
  if (!digest && !lastPart.includes(':')) name = `${name}:latest`;
  return `${name}${digest}`;
}

interface Definition {
  name: string;
  names: string[];
}

interface LayoutManifest {
  digest: string;
  annotations?: Record<string, string>;
}

/** One build per definition and process: later clusters reuse it. */
const builds = new Map<string, Promise<void>>();

export class ImageStore {
  private readonly definitions: Definition[];
  private readonly layout: string;
  private readonly layersDir: string;
  /** References whose pulls fail (a fault): "image missing". */
  readonly missing = new Set<string>();

  constructor(
    private readonly repoRoot: string,
    outDir = join(repoRoot, 'dist/images'),
  ) {
    this.layout = join(outDir, 'oci');
    this.layersDir = join(outDir, 'layers');
    const imagesDir = join(repoRoot, 'images');
    this.definitions = readdirSync(imagesDir)
      .filter(name => existsSync(join(imagesDir, name, 'image.json')))
      .map(name => {
        const def = JSON.parse(readFileSync(join(imagesDir, name, 'image.json'), 'utf8')) as {
          names: string[];
        };
        return { name, names: def.names };
      });
  }

  /** Every reference the store can serve. */
  references(): string[] {
    return this.definitions.flatMap(d => d.names);
  }

  async pull(image: string): Promise<PulledImage> {
    const reference = normalizeReference(image);
    const notFound = () =>
      new ImagePullError(
        `rpc error: code = NotFound desc = failed to pull and unpack image "${reference}": failed to resolve reference "${reference}": ${reference}: not found`,
      );
    if (this.missing.has(reference) || this.missing.has(image)) throw notFound();
    const [name, digest] = reference.split('@');
    const repository = name.replace(/:[^/:]+$/, '');
    const definition = this.definitions.find(d =>
      d.names.some(n => n === name || (digest && n.replace(/:[^/:]+$/, '') === repository)),
    );
    if (!definition) throw notFound();
    await this.build(definition);
    const index = JSON.parse(await readFile(join(this.layout, 'index.json'), 'utf8')) as {
      manifests: LayoutManifest[];
    };
    const entry = index.manifests.find(m =>
      digest ? m.digest === digest : m.annotations?.['io.containerd.image.name'] === name,
    );
    if (!entry) throw notFound();
    const manifest = this.blobJson(entry.digest) as {
      config: { digest: string };
      layers: Array<{ digest: string }>;
    };
    const config = this.blobJson(manifest.config.digest) as { config?: ImageConfig };
    const layers: string[] = [];
    for (const layer of manifest.layers) layers.push(await this.unpack(layer.digest));
    return {
      reference: image.includes('@') ? reference : name,
      imageID: `${repository}@${entry.digest}`,
      config: config.config ?? {},
      layers,
    };
  }

  private build(definition: Definition): Promise<void> {
    let build = builds.get(definition.name);
    if (!build) {
      build = execFileAsync(
        process.execPath,
        [join(this.repoRoot, 'scripts/build-images.mjs'), '--only', definition.name],
        { maxBuffer: 16 << 20 },
      ).then(
        () => undefined,
        (error: Error & { stderr?: string }) => {
          builds.delete(definition.name);
          throw new ImagePullError(
            `building image ${definition.names[0]} failed: ${(error.stderr ?? error.message).trim()}`,
          );
        },
      );
      builds.set(definition.name, build);
    }
    return build;
  }

  private blobJson(digest: string): unknown {
    return JSON.parse(readFileSync(join(this.layout, 'blobs/sha256', digest.slice(7)), 'utf8'));
  }

  /** A layer's files, unpacked once (concurrent unpackers race to one rename). */
  private async unpack(digest: string): Promise<string> {
    const dir = join(this.layersDir, digest.slice(7));
    if (existsSync(dir)) return dir;
    await mkdir(this.layersDir, { recursive: true });
    const tmp = await mkdtemp(join(this.layersDir, '.unpack-'));
    try {
      await hostOrThrow('tar', [
        '-xzf',
        join(this.layout, 'blobs/sha256', digest.slice(7)),
        '-C',
        tmp,
      ]);
      await rename(tmp, dir).catch(error => {
        if (!existsSync(dir)) throw error;
      });
    } finally {
      await rm(tmp, { recursive: true, force: true });
    }
    return dir;
  }
}
