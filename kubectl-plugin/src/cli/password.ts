import { readFile } from 'node:fs/promises';
import { UsageError } from './fail';

export interface PasswordSources {
  /** Usually `process.env`: KUBE_BACKUP_PASSWORD, then KUBE_BACKUP_PASSWORD_FILE. */
  env?: Record<string, string | undefined>;
  /** A file holding the password (--password-file); wins over the environment. */
  passwordFile?: string;
}

/**
 * Finds the repository password: `passwordFile`, else `KUBE_BACKUP_PASSWORD`, else the file
 * named by `KUBE_BACKUP_PASSWORD_FILE`. A file's trailing newline is not part of the password.
 */
export async function readRepositoryPassword(sources: PasswordSources = {}): Promise<string> {
  const env = sources.env ?? process.env;
  let password: string;
  if (sources.passwordFile) {
    password = await readPasswordFile(sources.passwordFile);
  } else if (env.KUBE_BACKUP_PASSWORD !== undefined && env.KUBE_BACKUP_PASSWORD !== '') {
    password = env.KUBE_BACKUP_PASSWORD;
  } else if (env.KUBE_BACKUP_PASSWORD_FILE) {
    password = await readPasswordFile(env.KUBE_BACKUP_PASSWORD_FILE);
  } else {
    throw new UsageError(
      'no repository password: set KUBE_BACKUP_PASSWORD or KUBE_BACKUP_PASSWORD_FILE, or pass --password-file',
    );
  }
  if (password === '') {
    throw new UsageError('the repository password is empty');
  }
  return password;
}

async function readPasswordFile(path: string): Promise<string> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    const code = (error as { code?: string }).code ?? 'unreadable';
    throw new UsageError(`cannot read password file ${path} (${code})`);
  }
  return text.replace(/\r?\n$/, '');
}
