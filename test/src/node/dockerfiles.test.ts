/**
 * The Dockerfiles of the CLI and mover images (for those who build with Docker) stay in
 * step with the definitions the project builds from (images/<name>/image.json): the same
 * Debian packages, the same files from this repository and Node at the same paths, the
 * same base image, environment, entrypoint and command. Neither can be built here (no
 * Docker engine), so they are also held to dockerfile-utils' validation.
 */
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { DockerfileParser, type Dockerfile } from 'dockerfile-ast';
import { validate } from 'dockerfile-utils';

const IMAGES_DIR = resolve(__dirname, '../../../images');

interface CopyItem {
  from: string;
  to: string;
  package?: string;
}
interface Layer {
  copy?: CopyItem[];
  layersOf?: string;
}
interface Definition {
  names: string[];
  base?: string;
  layers: Layer[];
  config?: { Env?: string[]; Entrypoint?: string[]; Cmd?: string[] };
}

const definition = (name: string): Definition =>
  JSON.parse(readFileSync(join(IMAGES_DIR, name, 'image.json'), 'utf8')) as Definition;

const dockerfileText = (name: string) => readFileSync(join(IMAGES_DIR, name, 'Dockerfile'), 'utf8');

/** The Debian packages an image's own layers take files from (not its base's). */
function packagesOf(name: string): string[] {
  return definition(name).layers.flatMap(layer =>
    layer.layersOf
      ? packagesOf(layer.layersOf)
      : (layer.copy ?? []).flatMap(item => (item.package ? [item.package] : [])),
  );
}

/** Files an image's own layers take from the build (parameters such as ${node}), by target. */
const builtFilesOf = (name: string) =>
  definition(name)
    .layers.flatMap(layer => layer.copy ?? [])
    .filter(item => item.from.startsWith('${'))
    .map(item => item.to);

function aptInstalled(dockerfile: Dockerfile): string[] {
  const packages: string[] = [];
  for (const instruction of dockerfile.getInstructions()) {
    if (instruction.getKeyword() !== 'RUN') continue;
    const words = instruction.getArguments().map(argument => argument.getValue());
    const install = words.indexOf('install');
    if (words[install - 1] !== 'apt-get') continue;
    for (const word of words.slice(install + 1)) {
      if (word === '&&') break;
      if (!word.startsWith('-')) packages.push(word);
    }
  }
  return packages;
}

/** ENV lines of the final stage, as image config's NAME=value strings. */
function envOf(dockerfile: Dockerfile): string[] {
  return dockerfile
    .getENVs()
    .flatMap(env => env.getProperties().map(p => `${p.getName()}=${p.getValue() ?? ''}`));
}

/** The JSON form of the last ENTRYPOINT or CMD (the exec form; the shell form fails). */
function execForm(dockerfile: Dockerfile, keyword: 'ENTRYPOINT' | 'CMD'): string[] | undefined {
  const instruction = dockerfile
    .getInstructions()
    .filter(i => i.getKeyword() === keyword)
    .pop();
  if (!instruction) return undefined;
  return JSON.parse(instruction.getArgumentsContent() ?? '') as string[];
}

/** The final stage's base image, with ARG defaults put in. */
function finalBase(dockerfile: Dockerfile): string {
  const from = dockerfile.getFROMs().pop()!;
  const defaults = new Map(
    dockerfile
      .getInitialARGs()
      .map(arg => arg.getProperty())
      .flatMap(p => (p ? [[p.getName(), p.getValue() ?? ''] as const] : [])),
  );
  return (from.getImage() ?? '').replace(/\$\{(\w+)\}/g, (_, name: string) => defaults.get(name)!);
}

describe.each(['cli', 'mover'])('images/%s/Dockerfile', name => {
  const text = dockerfileText(name);
  const dockerfile = DockerfileParser.parse(text);
  const own = definition(name);

  test('is a valid Dockerfile', () => {
    expect(validate(text).map(d => `${d.range.start.line + 1}: ${d.message}`)).toEqual([]);
  });

  test('installs the Debian packages its image.json takes files from', () => {
    expect(aptInstalled(dockerfile).sort()).toEqual(packagesOf(name).sort());
  });

  test('copies the built files to the paths image.json puts them', () => {
    const targets = dockerfile
      .getCOPYs()
      .map(copy => copy.getArguments().pop()!.getValue())
      .sort();
    expect(targets).toEqual(builtFilesOf(name).sort());
  });

  test('builds on the image its image.json builds on', () => {
    const base = own.base ? definition(own.base).names[0] : undefined;
    if (base) expect(finalBase(dockerfile)).toBe(base);
    else expect(finalBase(dockerfile)).toMatch(/^docker\.io\/library\/debian:bookworm/);
  });

  test('has the environment, entrypoint and command of its image.json', () => {
    // An image with a base sets only what it adds, as a Dockerfile FROM that base does.
    const config = own.config ?? {};
    expect(envOf(dockerfile).sort()).toEqual((config.Env ?? []).sort());
    expect(execForm(dockerfile, 'ENTRYPOINT')).toEqual(config.Entrypoint);
    expect(execForm(dockerfile, 'CMD')).toEqual(config.Cmd);
  });
});
