/* The repository's config file (see FORMAT.md) and the master key it wraps. */
import { createHmac, randomBytes } from 'node:crypto';
import { UserError } from '../errors';
import {
  decrypt,
  deriveKey,
  encrypt,
  IntegrityError,
  newKdfParams,
  RepositoryKeys,
  tuneKdf,
  type KdfParams,
} from './crypto';
import { isId } from './layout';

export const REPOSITORY_FORMAT = 'kube-backup-repository';
export const REPOSITORY_VERSION = 1;

const VOLUME_DATA_PASSWORD_LABEL = 'kube-backup/v1/volume-data-password';

export interface ConfigFile {
  format: typeof REPOSITORY_FORMAT;
  version: number;
  id: string;
  created: string;
  kdf: KdfParams;
  /** base64 of `nonce | AES-256-GCM(master key) | tag` under the password-derived key. */
  masterKey: string;
}

/** scrypt cost given by the caller; tuned for this machine when absent. */
export type KdfCost = { N: number; r?: number; p?: number };

/** The key derivation a repository uses, without its salt: what `repo init` reports. */
export interface KeyDerivation {
  algorithm: 'scrypt';
  N: number;
  r: number;
  p: number;
  /** Memory one derivation needs: 128 · N · r bytes. */
  memoryBytes: number;
}

/** A new repository's config, with a new id and master key wrapped under the password. */
export async function newConfig(
  password: string,
  cost: KdfCost | undefined,
): Promise<{ config: ConfigFile; master: Buffer }> {
  const kdf = cost ? newKdfParams(cost) : await tuneKdf();
  const id = randomBytes(32).toString('hex');
  const master = RepositoryKeys.generateMaster();
  const kek = await deriveKey(password, kdf);
  const config: ConfigFile = {
    format: REPOSITORY_FORMAT,
    version: REPOSITORY_VERSION,
    id,
    created: new Date().toISOString(),
    kdf,
    masterKey: encrypt(kek, master, configAad(id)).toString('base64'),
  };
  return { config, master };
}

/** The same config with the master key wrapped under a new password. */
export async function rewrapConfig(
  current: ConfigFile,
  master: Buffer,
  newPassword: string,
  cost: KdfCost | undefined,
): Promise<ConfigFile> {
  const kdf = cost ? newKdfParams(cost) : await tuneKdf();
  const kek = await deriveKey(newPassword, kdf);
  return {
    ...current,
    kdf,
    masterKey: encrypt(kek, master, configAad(current.id)).toString('base64'),
  };
}

export function serializeConfig(config: ConfigFile): Buffer {
  return Buffer.from(JSON.stringify(config, null, 2) + '\n');
}

export function keyDerivationOf(config: ConfigFile): KeyDerivation {
  const { N, r, p } = config.kdf;
  return { algorithm: 'scrypt', N, r, p, memoryBytes: 128 * N * r };
}

/**
 * The password of the volume-data (restic) repository beside this one, derived from the
 * master key: whoever can open this repository can open that one, and nobody handles a
 * second secret. Changing this repository's password leaves it unchanged.
 */
export function volumeDataPassword(master: Buffer): string {
  return createHmac('sha256', master).update(VOLUME_DATA_PASSWORD_LABEL).digest('hex');
}

function configAad(id: string): Buffer {
  return Buffer.from(`${REPOSITORY_FORMAT}:${REPOSITORY_VERSION}:${id}`, 'utf8');
}

export function parseConfig(raw: Buffer, location: string): ConfigFile {
  let config: ConfigFile;
  try {
    config = JSON.parse(raw.toString('utf8')) as ConfigFile;
  } catch {
    config = undefined as unknown as ConfigFile;
  }
  if (!config || typeof config !== 'object' || config.format !== REPOSITORY_FORMAT) {
    throw new UserError(
      'corrupt',
      `the config file at ${location} is not a kube-backup repository config`,
    );
  }
  if (config.version > REPOSITORY_VERSION) {
    throw new UserError(
      'invalid-argument',
      `the repository at ${location} uses format version ${config.version}; this kube-backup reads up to ${REPOSITORY_VERSION}, upgrade it`,
    );
  }
  const kdf = config.kdf;
  if (
    !isId(config.id ?? '') ||
    typeof config.masterKey !== 'string' ||
    !kdf ||
    kdf.algorithm !== 'scrypt' ||
    ![kdf.N, kdf.r, kdf.p].every(n => Number.isInteger(n) && n > 0) ||
    kdf.N > 1 << 22 ||
    typeof kdf.salt !== 'string'
  ) {
    throw new UserError('corrupt', `the repository config at ${location} is damaged`);
  }
  return config;
}

export async function unlockMaster(config: ConfigFile, password: string): Promise<Buffer> {
  const kek = await deriveKey(password, config.kdf);
  try {
    return decrypt(kek, Buffer.from(config.masterKey, 'base64'), configAad(config.id));
  } catch (error) {
    if (error instanceof IntegrityError)
      throw new UserError('wrong-password', 'wrong repository password');
    throw error;
  }
}
