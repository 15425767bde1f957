import type { KubeClient } from '../cluster/kube-client';
import { KubeApiError } from '../cluster/kube-api-error';
import { UserError } from '../errors';
import type { KubeObject } from '../snapshot/types';
import { LineSplitter } from './restic-output';

export interface ObjectRef {
  /** The collection's path, e.g. `/api/v1/namespaces/shop/pods`. */
  collection: string;
  name: string;
}

export interface WaitOptions {
  /** Gives up after this long with a UserError naming `what`. */
  timeoutMs: number;
  /** What is awaited, for the timeout message: `pod shop/mover-1 to start`. */
  what: string;
  signal?: AbortSignal;
}

/**
 * Waits until `done` holds for an object (given `undefined` once it is gone) and returns
 * what it was last seen as. Reads it once, then watches it, so a change is seen when it
 * happens rather than at the next poll; a watch the server ends is simply reopened.
 */
export async function waitForObject<T extends KubeObject = KubeObject>(
  client: KubeClient,
  ref: ObjectRef,
  done: (object: T | undefined) => boolean,
  options: WaitOptions,
): Promise<T | undefined> {
  const controller = new AbortController();
  const stop = () => controller.abort();
  options.signal?.addEventListener('abort', stop, { once: true });
  const timer = setTimeout(stop, options.timeoutMs);
  try {
    for (;;) {
      if (controller.signal.aborted) {
        throw options.signal?.aborted
          ? new Error('aborted')
          : new UserError('volume-data-error', `timed out waiting for ${options.what}`);
      }
      const current = await getObject<T>(
        client,
        `${ref.collection}/${encodeURIComponent(ref.name)}`,
      );
      if (done(current)) return current;
      const seen = await watchUntil(client, ref, current, done, controller.signal);
      if (seen.matched) return seen.object;
    }
  } finally {
    clearTimeout(timer);
    options.signal?.removeEventListener('abort', stop);
  }
}

export async function getObject<T extends KubeObject>(
  client: KubeClient,
  path: string,
): Promise<T | undefined> {
  try {
    return await client.request<T>({ method: 'GET', path });
  } catch (error) {
    if (error instanceof KubeApiError && error.status === 404) return undefined;
    throw error;
  }
}

async function watchUntil<T extends KubeObject>(
  client: KubeClient,
  ref: ObjectRef,
  current: T | undefined,
  done: (object: T | undefined) => boolean,
  signal: AbortSignal,
): Promise<{ matched: boolean; object?: T }> {
  let response;
  try {
    response = await client.stream(
      {
        path: ref.collection,
        query: {
          watch: true,
          fieldSelector: `metadata.name=${ref.name}`,
          resourceVersion: current?.metadata.resourceVersion,
          timeoutSeconds: 60,
        },
      },
      signal,
    );
  } catch (error) {
    if (signal.aborted) return { matched: false };
    throw error;
  }
  return new Promise(resolve => {
    const lines = new LineSplitter();
    let finished = false;
    const finish = (result: { matched: boolean; object?: T }) => {
      if (finished) return;
      finished = true;
      response.destroy();
      resolve(result);
    };
    const onLine = (line: string) => {
      let event: { type?: string; object?: T };
      try {
        event = JSON.parse(line) as { type?: string; object?: T };
      } catch {
        return;
      }
      // An ERROR event (an expired resourceVersion) ends this watch; the caller re-reads.
      if (event.type === 'ERROR') return finish({ matched: false });
      const object = event.type === 'DELETED' ? undefined : event.object;
      if (done(object)) finish({ matched: true, object });
    };
    response.setEncoding('utf8');
    response.on('data', (chunk: string) => lines.push(chunk, onLine));
    response.on('end', () => finish({ matched: false }));
    response.on('error', () => finish({ matched: false }));
    response.on('close', () => finish({ matched: false }));
  });
}
