/**
 * What the node's controllers share: a work queue of keys reconciled one at a time, the
 * node's context and the writers' freeze (for point-in-time copies), and errors logged under
 * the controller's name, as kube-controller-manager logs them, without stopping the queue.
 */
import type { StoreEvent } from '../server/store';
import type { NodeContext } from './context';
import type { FreezeWriters } from './csi';
import { WorkQueue } from './work-queue';

export abstract class QueueController {
  protected readonly queue = new WorkQueue(
    key => this.reconcile(key),
    (key, error) => console.error(`${this.name}: ${key}: ${String(error)}`),
  );

  constructor(
    protected readonly ctx: NodeContext,
    protected readonly freeze: FreezeWriters,
  ) {}

  /** Names the controller in its error log. */
  protected abstract readonly name: string;

  /** Queues what exists when the node starts. */
  abstract start(): void;

  /** Queues what a store event touches. */
  abstract onEvent(event: StoreEvent): void;

  stop(): void {
    this.queue.stop();
  }

  protected abstract reconcile(key: string): Promise<void>;
}
