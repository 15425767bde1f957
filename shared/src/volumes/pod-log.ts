import type { KubeClient } from '../cluster/kube-client';
import { LineSplitter } from './restic-output';

/**
 * Follows a container's log line by line until the container ends (the server then
 * closes the stream) or `signal` aborts. Resolves once the stream is over. With
 * `newOnly`, lines printed before the call are skipped.
 */
export async function followPodLog(
  client: KubeClient,
  target: { namespace: string; pod: string; container: string },
  onLine: (line: string) => void,
  options: { newOnly?: boolean; signal?: AbortSignal } = {},
): Promise<void> {
  const response = await client.stream(
    {
      path: `/api/v1/namespaces/${encodeURIComponent(target.namespace)}/pods/${encodeURIComponent(target.pod)}/log`,
      query: {
        container: target.container,
        follow: true,
        tailLines: options.newOnly ? 0 : undefined,
      },
    },
    options.signal,
  );
  const lines = new LineSplitter();
  await new Promise<void>(resolve => {
    response.setEncoding('utf8');
    response.on('data', (chunk: string) => lines.push(chunk, onLine));
    const end = () => {
      lines.end(onLine);
      resolve();
    };
    response.on('end', end);
    response.on('error', end);
    response.on('close', end);
  });
}
