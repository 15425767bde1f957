/**
 * Progress on stderr. On a terminal one line is rewritten in place; elsewhere (CI logs,
 * pipes) a line is printed when the phase changes and at most every few seconds after.
 */
export class ProgressLine {
  private lastPhase = '';
  private lastWrite = 0;
  private readonly tty = process.stderr.isTTY === true;

  update(phase: string, detail = ''): void {
    const now = Date.now();
    const line = detail ? `${phase}: ${detail}` : phase;
    if (this.tty) {
      if (now - this.lastWrite < 80 && phase === this.lastPhase) return;
      process.stderr.write(`\r\x1b[K${line}`);
    } else {
      if (phase === this.lastPhase && now - this.lastWrite < 5000) return;
      process.stderr.write(`${line}\n`);
    }
    this.lastPhase = phase;
    this.lastWrite = now;
  }

  done(): void {
    if (this.tty && this.lastPhase) process.stderr.write('\r\x1b[K');
    this.lastPhase = '';
  }
}
