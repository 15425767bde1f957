import { readFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { UsageError } from './fail';
import { readRepositoryPassword } from './password';

export interface RepositorySettingsSources {
  /** `--repository`. */
  repository?: string;
  /** `--password-file`. */
  passwordFile?: string;
  /** `--config`; default `$KUBE_BACKUP_CONFIG`, then `~/.kube-backup/config.yaml` if it exists. */
  configFile?: string;
  /** `--repository-node-path`. */
  nodePath?: string;
  /** `--mover-image`. */
  moverImage?: string;
  env: NodeJS.ProcessEnv;
}

export interface RepositorySettings {
  location: string;
  password: string;
  /** Where the cluster's nodes mount a `file://` repository's folder, for data movers. */
  nodePath?: string;
  /** The data-mover image. */
  moverImage?: string;
  /** Whose data backups capture when a command does not say (`annotated`, `all`, `none`). */
  volumes?: string;
}

interface ConfigFile {
  repository?: string;
  passwordFile?: string;
  repositoryNodePath?: string;
  moverImage?: string;
  volumes?: string;
}

/** Where the CLI keeps its repository when none is given: `file://$HOME/.kube-backup/repository`. */
export function defaultRepositoryLocation(home: string = homedir()): string {
  return pathToFileURL(resolve(home, '.kube-backup', 'repository')).href;
}

/**
 * Where the repository is and its password, first found wins: flags, environment
 * (`KUBE_BACKUP_REPOSITORY`, `KUBE_BACKUP_PASSWORD[_FILE]`), the config file, the default.
 */
export async function resolveRepositorySettings(
  sources: RepositorySettingsSources,
): Promise<RepositorySettings> {
  const config = await readConfigFile(
    sources.configFile ?? sources.env.KUBE_BACKUP_CONFIG,
    sources.configFile !== undefined || sources.env.KUBE_BACKUP_CONFIG !== undefined,
  );
  const location =
    sources.repository ??
    sources.env.KUBE_BACKUP_REPOSITORY ??
    config.repository ??
    defaultRepositoryLocation();
  const password = await readRepositoryPassword({
    env: sources.env,
    passwordFile:
      sources.passwordFile ?? (sources.env.KUBE_BACKUP_PASSWORD ? undefined : config.passwordFile),
  });
  return {
    location,
    password,
    nodePath:
      sources.nodePath ??
      sources.env.KUBE_BACKUP_REPOSITORY_NODE_PATH ??
      // A node path belongs to the repository it was written for.
      ((sources.repository ?? sources.env.KUBE_BACKUP_REPOSITORY)
        ? undefined
        : config.repositoryNodePath),
    moverImage: sources.moverImage ?? sources.env.KUBE_BACKUP_MOVER_IMAGE ?? config.moverImage,
    volumes: sources.env.KUBE_BACKUP_VOLUMES ?? config.volumes,
  };
}

async function readConfigFile(path: string | undefined, required: boolean): Promise<ConfigFile> {
  const file = path ?? join(homedir(), '.kube-backup', 'config.yaml');
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    if (!required && (error as NodeJS.ErrnoException).code === 'ENOENT') return {};
    throw new UsageError(
      `cannot read config file ${file}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`,
    );
  }
  const { load } = await import('js-yaml');
  let parsed: unknown;
  try {
    parsed = load(text);
  } catch (error) {
    throw new UsageError(
      `config file ${file} is not valid YAML: ${(error as Error).message.split('\n')[0]}`,
    );
  }
  if (parsed === null || parsed === undefined) return {};
  if (typeof parsed !== 'object' || Array.isArray(parsed)) {
    throw new UsageError(
      `config file ${file} must be a mapping with repository, passwordFile, repositoryNodePath, moverImage and volumes`,
    );
  }
  const { repository, passwordFile, repositoryNodePath, moverImage, volumes } = parsed as Record<
    string,
    unknown
  >;
  for (const [key, value] of Object.entries({
    repository,
    passwordFile,
    repositoryNodePath,
    moverImage,
    volumes,
  })) {
    if (value !== undefined && typeof value !== 'string') {
      throw new UsageError(`config file ${file}: ${key} must be a string`);
    }
  }
  return {
    repository: repository as string | undefined,
    passwordFile: passwordFile as string | undefined,
    repositoryNodePath: repositoryNodePath as string | undefined,
    moverImage: moverImage as string | undefined,
    volumes: volumes as string | undefined,
  };
}
