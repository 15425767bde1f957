/** Failures tests can ask for: throttling (429) and expired continue tokens (410). */
export interface RequestSummary {
  method: string;
  path: string;
  query: string;
}

interface Throttle {
  remaining: number;
  match?: (req: RequestSummary) => boolean;
}

export class Faults {
  private throttles: Throttle[] = [];
  private expirations = 0;

  /** The next `n` requests matching `match` (default: any) get 429 with Retry-After: 1. */
  throttle(n: number, match?: (req: RequestSummary) => boolean): void {
    if (n > 0) this.throttles.push({ remaining: n, match });
  }

  /** The next list request that carries a continue token gets 410 Expired. */
  expireNextContinue(): void {
    this.expirations++;
  }

  reset(): void {
    this.throttles = [];
    this.expirations = 0;
  }

  takeThrottle(req: RequestSummary): boolean {
    for (const t of this.throttles) {
      if (t.remaining > 0 && (!t.match || t.match(req))) {
        t.remaining--;
        this.throttles = this.throttles.filter(x => x.remaining > 0);
        return true;
      }
    }
    return false;
  }

  takeExpiration(): boolean {
    if (this.expirations === 0) return false;
    this.expirations--;
    return true;
  }
}
