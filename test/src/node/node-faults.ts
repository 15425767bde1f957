/**
 * Faults a test can inject into the node: a container killed (exit 137), an image that
 * cannot be pulled, the node going NotReady (its containers die; they restart per policy
 * when it comes back), and containers that are slow to start (by a delay, or held until
 * released).
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

  reset(): void {
    this.slow = [];
    for (const release of this.releases.splice(0)) release();
  }
}
