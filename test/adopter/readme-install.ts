// The "## Install" section of a package README, taken literally: its `sh` blocks are run
// in the app's root, and each `ts`/`tsx` block, whose first line names the app file it
// belongs in, is written into that file. The adopter test installs the packages this way
// only, so the READMEs say exactly what works.
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

export type InstallStep =
  { kind: 'command'; command: string } | { kind: 'code'; file: string; lines: string[] };

const FENCE = /^```(\w*)\n([\s\S]*?)^```$/gm;

/** The steps of the README's "## Install" section, in order. */
export async function readInstallSteps(readme: string): Promise<InstallStep[]> {
  const text = await readFile(readme, 'utf8');
  const start = text.search(/^## Install$/m);
  if (start < 0) throw new Error(`${readme} has no "## Install" section`);
  const rest = text.slice(start + '## Install'.length);
  const end = rest.search(/^## /m);
  const section = end < 0 ? rest : rest.slice(0, end);
  const steps: InstallStep[] = [];
  for (const [, language, body] of section.matchAll(FENCE)) {
    const lines = body.split('\n').filter(line => line.trim() !== '');
    if (language === 'sh') {
      for (const line of lines) {
        const command = line.replace(/\s+#.*$/, '').trim();
        if (command && !command.startsWith('#')) steps.push({ kind: 'command', command });
      }
    } else if (language === 'ts' || language === 'tsx') {
      const [first, ...code] = lines;
      const file = first?.match(/^\/\/ (\S+)$/)?.[1];
      if (!file) throw new Error(`a ${language} block in ${readme} does not name its file`);
      steps.push({ kind: 'code', file, lines: code });
    } else {
      throw new Error(
        `${readme}'s Install section has a \`${language}\` block the test cannot run`,
      );
    }
  }
  return steps;
}

/**
 * Writes a README code block into an app file as a developer following it would: imports
 * join the file's imports, `backend.add(…)` lines go before `backend.start()`, and the
 * plugins a `features: [...]` list names join the app's list. Anything else in the block is
 * an error, so the README cannot show code the test does not apply.
 */
export async function applyCode(appDir: string, file: string, lines: string[]): Promise<void> {
  const path = join(appDir, file);
  let source = await readFile(path, 'utf8');
  const block = lines.join('\n');
  const imports = lines.filter(line => line.startsWith('import '));
  const backendAdds = block.match(/^backend\.add\([\s\S]*?\);$/gm) ?? [];
  const features = block.match(/features: \[([^\]]*)\]/)?.[1];
  const handled = [
    ...imports,
    ...backendAdds,
    ...(features === undefined ? [] : ['export default createApp({', '});', /features: \[/]),
  ];
  for (const line of lines) {
    const known = handled.some(pattern =>
      typeof pattern === 'string' ? pattern.includes(line) : pattern.test(line),
    );
    if (!known)
      throw new Error(`the README's code for ${file} has a line the test cannot apply: ${line}`);
  }
  if (imports.length > 0) {
    const lastImport = [...source.matchAll(/^import [\s\S]*?;$/gm)].pop();
    const at = lastImport ? lastImport.index! + lastImport[0].length : 0;
    source = `${source.slice(0, at)}\n${imports.join('\n')}${source.slice(at)}`;
  }
  for (const add of backendAdds) {
    if (!source.includes('backend.start();')) throw new Error(`${file} has no backend.start()`);
    source = source.replace('backend.start();', `${add}\n\nbackend.start();`);
  }
  if (features !== undefined) {
    const list = source.match(/features: \[([^\]]*)\]/);
    if (!list) throw new Error(`${file} has no features list`);
    const present = list[1].split(',').map(name => name.trim());
    const added = features
      .split(',')
      .map(name => name.trim())
      .filter(name => name && !name.startsWith('/*') && !present.includes(name));
    source = source.replace(list[0], `features: [${[...present, ...added].join(', ')}]`);
  }
  await writeFile(path, source);
}
