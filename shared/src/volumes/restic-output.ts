/**
 * What restic prints with `--json`, one JSON document a line, turned into events. The
 * same parser reads restic run here and a mover's log streamed from the cluster.
 */
export type ResticEvent =
  | {
      type: 'status';
      bytesDone: number;
      totalBytes?: number;
      filesDone: number;
      totalFiles?: number;
    }
  | {
      type: 'summary';
      /** Full id where restic prints one; restic 0.14 prints the 8-digit short id. */
      snapshotId?: string;
      bytes: number;
      files: number;
      /** What the repository grew by. */
      addedBytes?: number;
    }
  /** `restic snapshots --json`: the snapshots found. */
  | { type: 'snapshots'; snapshots: Array<{ id: string; tags: string[] }> }
  | { type: 'error'; message: string }
  /** A mover found the volume empty (restic saves no empty snapshot). */
  | { type: 'empty-volume' }
  /** A files-restore mover put one chosen path back (the counts are of files). */
  | {
      type: 'path-restored';
      index: number;
      ok: boolean;
      restored: number;
      overwritten: number;
      renamed: number;
      skipped: number;
    }
  /** Anything else: restic's plain-text messages (`Fatal: …`), a shell's complaints. */
  | { type: 'text'; line: string };

type Json = Record<string, unknown>;

export function parseResticLine(line: string): ResticEvent | undefined {
  const text = line.trim();
  if (!text) return undefined;
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return { type: 'text', line: text };
  }
  if (Array.isArray(value)) {
    return {
      type: 'snapshots',
      snapshots: value.filter(isObject).map(snapshot => ({
        id: String(snapshot.id ?? ''),
        tags: Array.isArray(snapshot.tags) ? snapshot.tags.map(String) : [],
      })),
    };
  }
  if (!isObject(value)) return { type: 'text', line: text };
  switch (value.message_type) {
    case 'status':
      // Backups report bytes_done/files_done; restores (restic 0.16 and later) *_restored.
      return {
        type: 'status',
        bytesDone: number(value.bytes_done ?? value.bytes_restored) ?? 0,
        totalBytes: number(value.total_bytes),
        filesDone: number(value.files_done ?? value.files_restored) ?? 0,
        totalFiles: number(value.total_files),
      };
    case 'summary':
      return {
        type: 'summary',
        snapshotId: typeof value.snapshot_id === 'string' ? value.snapshot_id : undefined,
        bytes: number(value.total_bytes_processed ?? value.total_bytes) ?? 0,
        files: number(value.total_files_processed ?? value.total_files) ?? 0,
        addedBytes: number(value.data_added),
      };
    case 'error':
      return { type: 'error', message: errorMessage(value) };
    case 'empty-volume':
      return { type: 'empty-volume' };
    case 'path-restored':
      return {
        type: 'path-restored',
        index: number(value.index) ?? -1,
        ok: value.ok === true,
        restored: number(value.restored) ?? 0,
        overwritten: number(value.overwritten) ?? 0,
        renamed: number(value.renamed) ?? 0,
        skipped: number(value.skipped) ?? 0,
      };
    default:
      return { type: 'text', line: text };
  }
}

/**
 * restic marshals most Go errors as `{}`, so the message is built from what it did and to
 * which file, with the error's text where it has one.
 */
function errorMessage(value: Json): string {
  const error = value.error;
  const detail = isObject(error)
    ? [error.Op, error.Path, error.Err && typeof error.Err !== 'object' ? error.Err : undefined]
        .filter(part => typeof part === 'string' && part)
        .join(' ')
    : typeof error === 'string'
      ? error
      : '';
  const during = typeof value.during === 'string' ? value.during : 'backup';
  const item = typeof value.item === 'string' ? ` ${value.item}` : '';
  return `${during} of${item || ' an item'} failed${detail ? `: ${detail}` : ''}`;
}

function number(value: unknown): number | undefined {
  return typeof value === 'number' && Number.isFinite(value) ? value : undefined;
}

function isObject(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Splits a stream of text into lines, keeping a partial last line until it is complete. */
export class LineSplitter {
  private rest = '';

  push(chunk: string, onLine: (line: string) => void): void {
    const text = this.rest + chunk;
    const lines = text.split('\n');
    this.rest = lines.pop() ?? '';
    for (const line of lines) onLine(line);
  }

  end(onLine: (line: string) => void): void {
    if (this.rest) onLine(this.rest);
    this.rest = '';
  }
}
