/**
 * Storage backends hold the repository's files under slash-separated keys such as
 * `config`, `data/ab/ab12…`, `snapshots/<id>` and `locks/<id>`. They know nothing about
 * encryption or the repository format.
 */
export interface StorageEntry {
  key: string;
  /** Stored size in bytes, when the backend knows it (always for S3; local on request). */
  size?: number;
  /** Last modification time, when the backend knows it. */
  modified?: Date;
}

export interface PutOptions {
  /**
   * Write only when no file exists under `key`. Returns false (and writes nothing) when one
   * does. Backends make this atomic where the storage allows (local: link(2); S3:
   * `If-None-Match: *`), otherwise best effort (exists check, then put).
   */
  ifAbsent?: boolean;
}

export interface ListOptions {
  /** Ask the backend to report sizes even where that costs an extra call per file. */
  withSize?: boolean;
}

export interface StorageBackend {
  /** Human-readable location, without credentials, for messages. */
  readonly location: string;
  /** 'local' or 's3'. */
  readonly kind: 'local' | 's3';
  /** Reads a whole file; undefined when there is none. */
  get(key: string): Promise<Buffer | undefined>;
  /**
   * Writes a whole file atomically: a reader sees either the previous file (or none) or the
   * complete new one, never a partial write. Returns false only for `ifAbsent` puts that
   * found an existing file.
   */
  put(key: string, data: Uint8Array, options?: PutOptions): Promise<boolean>;
  exists(key: string): Promise<boolean>;
  /** Size of one file; undefined when there is none. */
  stat(key: string): Promise<StorageEntry | undefined>;
  /** Removes a file; removing a missing file is not an error. */
  delete(key: string): Promise<void>;
  /** Removes many files (batched where the storage supports it). */
  deleteMany?(keys: string[]): Promise<void>;
  /** Every file whose key starts with `prefix`, in no particular order. */
  list(prefix: string, options?: ListOptions): AsyncIterable<StorageEntry>;
  /**
   * Makes every completed put durable (local: fsync of the directories that received new
   * files). Called before a snapshot document is written so it never outlives its data.
   */
  flush?(): Promise<void>;
  /** Removes leftovers of interrupted writes older than `olderThanMs`; returns how many. */
  cleanup?(olderThanMs: number): Promise<number>;
  /**
   * Creates the container (directory or bucket) when it does not exist yet, and the given
   * folders where the storage has folders (so writes never have to create them).
   */
  prepare?(folders?: string[]): Promise<void>;
  close?(): Promise<void>;
}

/** Collects an async listing into an array. */
export async function listAll(
  backend: StorageBackend,
  prefix: string,
  options?: ListOptions,
): Promise<StorageEntry[]> {
  const entries: StorageEntry[] = [];
  for await (const entry of backend.list(prefix, options)) entries.push(entry);
  return entries;
}
