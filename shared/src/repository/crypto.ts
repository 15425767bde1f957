import {
  createCipheriv,
  createDecipheriv,
  createHmac,
  hkdfSync,
  randomBytes,
  scrypt,
  type ScryptOptions,
} from 'node:crypto';
import { deflateRawSync, inflateRawSync } from 'node:zlib';

/** Parameters of the password-based key derivation, stored in the repository config. */
export interface KdfParams {
  algorithm: 'scrypt';
  N: number;
  r: number;
  p: number;
  /** Random salt, base64. */
  salt: string;
}

/** Raised when sealed data fails authentication or does not parse: tampered, truncated or the wrong key. */
export class IntegrityError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'IntegrityError';
  }
}

const KEY_BYTES = 32;
const NONCE_BYTES = 12;
const TAG_BYTES = 16;
const SEAL_VERSION = 1;
const HEADER = Buffer.from([SEAL_VERSION]);
/** Compression flags, stored inside the encrypted payload. */
const NONE = 0;
const DEFLATE = 1;
/** Below this size compression cannot pay for itself. */
const MIN_COMPRESS = 64;

export function scryptAsync(
  password: string,
  salt: Buffer,
  params: Omit<KdfParams, 'salt' | 'algorithm'>,
): Promise<Buffer> {
  const options: ScryptOptions = {
    N: params.N,
    r: params.r,
    p: params.p,
    maxmem: 256 * params.N * params.r + 32 * 1024 * 1024,
  };
  return new Promise((resolvePromise, reject) =>
    scrypt(password.normalize('NFC'), salt, KEY_BYTES, options, (error, key) =>
      error ? reject(error) : resolvePromise(key),
    ),
  );
}

/** Derives the key-encryption key from a password. */
export function deriveKey(password: string, params: KdfParams): Promise<Buffer> {
  return scryptAsync(password, Buffer.from(params.salt, 'base64'), params);
}

/**
 * The least scrypt cost a tuned key derivation gets: N = 2^17 with r = 8 (128 MiB of
 * memory per derivation), the minimum OWASP recommends. Tuning alone would pick the
 * weakest setting on a loaded machine; an attacker's hardware is never loaded.
 */
export const MIN_TUNED_SCRYPT_N = 1 << 17;
const MAX_TUNED_SCRYPT_N = 1 << 20;

/**
 * Picks scrypt's cost so that deriving a key takes about `targetMs` on this machine, never
 * below MIN_TUNED_SCRYPT_N nor above 2^20, with r = 8 and p = 1. The time is measured at
 * 2^14 (cheap) and scaled: scrypt's time grows linearly with N.
 */
export async function tuneKdf(targetMs = 75): Promise<KdfParams> {
  const probe = 1 << 14;
  const salt = randomBytes(16);
  let best = Infinity;
  for (let i = 0; i < 2; i++) {
    const start = performance.now();
    await scryptAsync('calibration', salt, { N: probe, r: 8, p: 1 });
    best = Math.min(best, performance.now() - start);
  }
  const doublings = Math.round(Math.log2(targetMs / Math.max(best, 0.1)));
  const N = Math.min(MAX_TUNED_SCRYPT_N, Math.max(MIN_TUNED_SCRYPT_N, probe * 2 ** doublings));
  return { algorithm: 'scrypt', N, r: 8, p: 1, salt: salt.toString('base64') };
}

export function newKdfParams(cost: { N: number; r?: number; p?: number }): KdfParams {
  const N = cost.N;
  if (!Number.isInteger(N) || N < 2 || (N & (N - 1)) !== 0) {
    throw new RangeError('scrypt N must be a power of two');
  }
  return {
    algorithm: 'scrypt',
    N,
    r: cost.r ?? 8,
    p: cost.p ?? 1,
    salt: randomBytes(16).toString('base64'),
  };
}

/** AES-256-GCM with a random nonce: `nonce | ciphertext | tag`. */
export function encrypt(key: Buffer, plain: Uint8Array, aad: Uint8Array): Buffer {
  const nonce = randomBytes(NONCE_BYTES);
  const cipher = createCipheriv('aes-256-gcm', key, nonce);
  cipher.setAAD(aad);
  const body = Buffer.concat([cipher.update(plain), cipher.final()]);
  return Buffer.concat([nonce, body, cipher.getAuthTag()]);
}

export function decrypt(key: Buffer, sealed: Uint8Array, aad: Uint8Array): Buffer {
  if (sealed.byteLength < NONCE_BYTES + TAG_BYTES)
    throw new IntegrityError('sealed data is truncated');
  const bytes = Buffer.from(sealed.buffer, sealed.byteOffset, sealed.byteLength);
  const nonce = bytes.subarray(0, NONCE_BYTES);
  const tag = bytes.subarray(bytes.length - TAG_BYTES);
  const decipher = createDecipheriv('aes-256-gcm', key, nonce);
  decipher.setAAD(aad);
  decipher.setAuthTag(tag);
  try {
    return Buffer.concat([
      decipher.update(bytes.subarray(NONCE_BYTES, bytes.length - TAG_BYTES)),
      decipher.final(),
    ]);
  } catch {
    throw new IntegrityError('authentication failed');
  }
}

/** The keys every repository file is protected with, derived from the random master key. */
export class RepositoryKeys {
  private readonly encryptionKey: Buffer;
  private readonly idKey: Buffer;

  constructor(master: Buffer) {
    if (master.length !== KEY_BYTES) throw new RangeError('master key must be 32 bytes');
    this.encryptionKey = Buffer.from(
      hkdfSync('sha256', master, Buffer.alloc(0), 'kube-backup/v1/encryption', KEY_BYTES),
    );
    this.idKey = Buffer.from(
      hkdfSync('sha256', master, Buffer.alloc(0), 'kube-backup/v1/content-id', KEY_BYTES),
    );
  }

  static generateMaster(): Buffer {
    return randomBytes(KEY_BYTES);
  }

  /** Content id: HMAC-SHA256 of the plaintext under a key only password holders have, hex. */
  contentId(plain: Uint8Array): string {
    return createHmac('sha256', this.idKey).update(plain).digest('hex');
  }

  /**
   * Compresses (raw deflate, fastest level, skipped when it does not help) and encrypts.
   * `name` (such as `blob:<id>`) is authenticated, so a file moved under another name fails
   * to open. Layout: `version(1) | nonce(12) | AES-GCM(flag(1) | payload) | tag(16)`.
   */
  seal(plain: Uint8Array, name: string): Buffer {
    let flag = NONE;
    let payload: Uint8Array = plain;
    if (plain.byteLength >= MIN_COMPRESS) {
      const packed = deflateRawSync(plain, { level: 1 });
      if (packed.byteLength < plain.byteLength) {
        flag = DEFLATE;
        payload = packed;
      }
    }
    const inner = Buffer.concat([Buffer.from([flag]), payload]);
    return Buffer.concat([HEADER, encrypt(this.encryptionKey, inner, aadFor(name))]);
  }

  open(sealed: Uint8Array, name: string): Buffer {
    if (sealed.byteLength < 1 + NONCE_BYTES + 1 + TAG_BYTES)
      throw new IntegrityError('file is truncated');
    if (sealed[0] !== SEAL_VERSION)
      throw new IntegrityError(`unknown file format version ${sealed[0]}`);
    const inner = decrypt(this.encryptionKey, sealed.subarray(1), aadFor(name));
    const flag = inner[0];
    const payload = inner.subarray(1);
    if (flag === NONE) return payload;
    if (flag === DEFLATE) {
      try {
        return inflateRawSync(payload);
      } catch {
        throw new IntegrityError('payload does not decompress');
      }
    }
    throw new IntegrityError(`unknown compression ${flag}`);
  }
}

function aadFor(name: string): Buffer {
  return Buffer.concat([HEADER, Buffer.from(name, 'utf8')]);
}

/** Stored size of a sealed payload of `n` bytes (upper bound when compression applies). */
export const SEAL_OVERHEAD = 1 + NONCE_BYTES + 1 + TAG_BYTES;

/**
 * JSON with object keys sorted, so equal values always give equal bytes (and ids) whatever
 * order their fields were built in. Array order is kept.
 */
export function canonicalJson(value: unknown): string {
  const text = JSON.stringify(value, (_key, item: unknown) => {
    if (item === null || typeof item !== 'object' || Array.isArray(item)) return item;
    // A null prototype keeps a literal "__proto__" key (valid in ConfigMap data) as data.
    const sorted: Record<string, unknown> = Object.create(null);
    for (const key of Object.keys(item).sort())
      sorted[key] = (item as Record<string, unknown>)[key];
    return sorted;
  });
  if (text === undefined) throw new TypeError('value cannot be stored as JSON');
  return text;
}
