import { execFile } from 'node:child_process';
import { dirname } from 'node:path';
import { CLI } from './harness';

/** The plugin as kubectl itself finds and runs it. */
describe('kubectl-backup as a kubectl plugin', () => {
  const env = { PATH: `${dirname(CLI)}:${process.env.PATH}`, HOME: process.env.HOME };
  const kubectl = (args: string[]) =>
    new Promise<{ code: number; stdout: string; stderr: string }>(resolve =>
      execFile('kubectl', args, { env }, (error, stdout, stderr) =>
        resolve({ code: error ? Number(error.code ?? 1) : 0, stdout, stderr }),
      ),
    );

  it('is listed by kubectl plugin list', async () => {
    const { stdout } = await kubectl(['plugin', 'list']);
    expect(stdout).toContain(CLI);
  });

  it('answers kubectl backup --help with every command', async () => {
    const result = await kubectl(['backup', '--help']);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain(
      'kubectl backup: back up, restore and hydrate Kubernetes applications',
    );
    for (const command of [
      'annotate',
      'create',
      'list',
      'describe',
      'get',
      'restore',
      'hydrate',
      'verify',
      'delete',
      'prune',
      'repo',
    ]) {
      expect(result.stdout).toMatch(new RegExp(`kubectl backup ${command}\\b`));
    }
  });

  it('reports a usage error in one line with a non-zero exit', async () => {
    const result = await kubectl(['backup', 'frobnicate']);
    expect(result.code).toBe(1);
    expect(result.stderr.trim().split('\n')).toHaveLength(1);
    expect(result.stderr).toMatch(/^error: /);
  });
});
