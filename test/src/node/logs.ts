/**
 * Container logs as the kubelet keeps them: each line of stdout and stderr with the time
 * it was written, per container instance, so `pods/log` can tail, follow, add timestamps
 * and show the previous instance. At most `limit` bytes are kept per instance (the
 * kubelet rotates at 10 MiB); older lines are dropped first.
 */
import { EventEmitter } from 'node:events';
import type { Readable } from 'node:stream';

export interface LogLine {
  time: Date;
  stream: 'stdout' | 'stderr';
  text: string;
}

export interface LogReadOptions {
  tailLines?: number;
  timestamps?: boolean;
  sinceSeconds?: number;
  sinceTime?: Date;
  limitBytes?: number;
}

const DEFAULT_LIMIT = 10 * 1024 * 1024;

/** RFC 3339 with nanoseconds, as the kubelet prints timestamps. */
function timestamp(time: Date): string {
  return time.toISOString().replace(/\.(\d{3})Z$/, '.$1000000Z');
}

export class ContainerLog {
  private lines: LogLine[] = [];
  private size = 0;
  private readonly partial = { stdout: '', stderr: '' };
  private readonly events = new EventEmitter();
  private open = 0;
  closed = false;

  constructor(private readonly limit = DEFAULT_LIMIT) {
    this.events.setMaxListeners(0);
  }

  /** Collects a stream until it ends; the log closes when every attached stream has. */
  attach(stream: Readable, name: 'stdout' | 'stderr'): void {
    this.open++;
    stream.on('data', (chunk: Buffer) => this.write(name, chunk.toString('utf8')));
    stream.on('close', () => {
      if (this.partial[name]) this.push(name, this.partial[name]);
      this.partial[name] = '';
      if (--this.open === 0) this.close();
    });
  }

  /** Splits a chunk into lines; an unterminated last part waits for the rest. */
  private write(name: 'stdout' | 'stderr', text: string): void {
    const parts = (this.partial[name] + text).split('\n');
    this.partial[name] = parts.pop() ?? '';
    for (const part of parts) this.push(name, `${part}\n`);
  }

  private push(stream: 'stdout' | 'stderr', text: string): void {
    const line = { time: new Date(), stream, text };
    this.lines.push(line);
    this.size += text.length;
    while (this.size > this.limit && this.lines.length > 1)
      this.size -= this.lines.shift()!.text.length;
    this.events.emit('line', line);
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.events.emit('close');
  }

  read(opts: LogReadOptions): string {
    return this.select(opts)
      .map(line => format(line, opts))
      .join('');
  }

  private select(opts: LogReadOptions): LogLine[] {
    let lines = this.lines;
    const since =
      opts.sinceTime ??
      (opts.sinceSeconds !== undefined
        ? new Date(Date.now() - opts.sinceSeconds * 1000)
        : undefined);
    if (since) lines = lines.filter(l => l.time >= since);
    if (opts.tailLines !== undefined && opts.tailLines >= 0)
      lines = opts.tailLines === 0 ? [] : lines.slice(-opts.tailLines);
    return lines;
  }

  /** Existing lines (per the options), then new ones as they come, until the log closes or
   * `stop` is called. Returns stop. */
  follow(opts: LogReadOptions, onText: (text: string) => void, onEnd: () => void): () => void {
    for (const line of this.select(opts)) onText(format(line, opts));
    if (this.closed) {
      onEnd();
      return () => undefined;
    }
    const onLine = (line: LogLine) => onText(format(line, opts));
    const onClose = () => {
      stop();
      onEnd();
    };
    const stop = () => {
      this.events.off('line', onLine);
      this.events.off('close', onClose);
    };
    this.events.on('line', onLine);
    this.events.on('close', onClose);
    return stop;
  }
}

function format(line: LogLine, opts: LogReadOptions): string {
  return opts.timestamps ? `${timestamp(line.time)} ${line.text}` : line.text;
}
