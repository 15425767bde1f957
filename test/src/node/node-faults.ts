/**
 * Faults a test can inject into the node: a container killed (exit 137), an image that
 * cannot be pulled, the node going NotReady (its containers die; they restart per policy
 * when it comes back), and containers that are slow to start (by a delay, or held until
 * released), and containers killed the moment they start.
 */
import type { KubeObject } from '../server/json';

export type PodMatch = (pod: KubeObject, container: string) => boolean;

interface SlowStart {
  match: PodMatch;
  delayMs?: number;
  gate?: Promise<void>;
}

export class NodeFaultState {
  ready = true;
  private slow: SlowStart[] = [];
  private killers: PodMatch[] = [];
  private releases: Array<() => void> = [];

  /** Containers matching start after delayMs; without it, only once released. */
  slowStart(match: PodMatch, delayMs?: number): () => void {
    let release: () => void = () => undefined;
    const gate = delayMs === undefined ? new Promise<void>(r => (release = r)) : undefined;
    const entry: SlowStart = { match, delayMs, gate };
    this.slow.push(entry);
    this.releases.push(release);
    return () => {
      this.slow = this.slow.filter(s => s !== entry);
      release();
    };
  }

  async beforeStart(pod: KubeObject, container: string): Promise<void> {
    for (const s of this.slow) {
      if (!s.match(pod, container)) continue;
      if (s.gate) await s.gate;
      else if (s.delayMs) await new Promise(r => setTimeout(r, s.delayMs));
    }
  }

  /**
   * Containers matching are killed (exit 137) as soon as they have started; one whose
   * process ends within milliseconds may end first.
   */
  killOnStart(match: PodMatch): () => void {
    this.killers.push(match);
    return () => {
      this.killers = this.killers.filter(killer => killer !== match);
    };
  }

  killsOnStart(pod: KubeObject, container: string): boolean {
    return this.killers.some(match => match(pod, container));
  }

  reset(): void {
    this.killers = [];
    this.slow = [];
    for (const release of this.releases.splice(0)) release();
  }
}
