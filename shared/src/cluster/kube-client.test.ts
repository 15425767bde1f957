import { createServer, type Server } from 'node:http';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { UserError } from '../errors';
import { connectToCluster } from './connect';
import { KubeApiError } from './kube-api-error';

describe('KubeClient over a kubeconfig', () => {
  let server: Server;
  let connections = 0;
  let throttled = 0;
  let dir: string;
  let kubeconfig: string;

  beforeAll(async () => {
    server = createServer((request, response) => {
      if (request.url?.startsWith('/throttled') && throttled++ < 2) {
        response.writeHead(429, { 'Retry-After': '0', 'Content-Type': 'application/json' });
        response.end(
          JSON.stringify({
            kind: 'Status',
            reason: 'TooManyRequests',
            message: 'slow down',
            code: 429,
          }),
        );
        return;
      }
      if (request.url?.startsWith('/missing')) {
        response.writeHead(404, { 'Content-Type': 'application/json' });
        response.end(
          JSON.stringify({
            kind: 'Status',
            reason: 'NotFound',
            message: 'configmaps "x" not found',
            code: 404,
          }),
        );
        return;
      }
      response.writeHead(request.headers.authorization === 'Bearer secret-token' ? 200 : 401, {
        'Content-Type': 'application/json',
      });
      response.end(JSON.stringify({ path: request.url }));
    });
    server.on('connection', () => connections++);
    await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as { port: number };
    dir = await mkdtemp(join(tmpdir(), 'kube-client-'));
    kubeconfig = join(dir, 'config');
    await writeFile(
      kubeconfig,
      `apiVersion: v1
kind: Config
clusters: [{name: local, cluster: {server: "http://127.0.0.1:${port}", insecure-skip-tls-verify: true}}]
users: [{name: me, user: {token: secret-token}}]
contexts: [{name: local, context: {cluster: local, user: me, namespace: shop}}]
current-context: local
`,
    );
  });
  afterAll(async () => {
    await new Promise(resolve => server.close(resolve));
    await rm(dir, { recursive: true, force: true });
  });

  it("reuses connections and sends the kubeconfig's credentials", async () => {
    const connection = await connectToCluster({ kubeconfig, concurrency: 4 });
    expect(connection.namespace).toBe('shop');
    connections = 0;
    const results = await Promise.all(
      Array.from({ length: 200 }, (_, i) =>
        connection.client.request<{ path: string }>({ method: 'GET', path: `/api/${i}` }),
      ),
    );
    expect(results[199].path).toBe('/api/199');
    expect(connections).toBeLessThanOrEqual(4);
    connection.client.close();
  });

  it('waits out 429 Retry-After and turns Status bodies into errors', async () => {
    const connection = await connectToCluster({ kubeconfig });
    await expect(connection.client.request({ method: 'GET', path: '/throttled' })).resolves.toEqual(
      { path: '/throttled' },
    );
    const error = await connection.client
      .request({ method: 'GET', path: '/missing' })
      .catch(e => e);
    expect(error).toBeInstanceOf(KubeApiError);
    expect(error).toMatchObject({
      status: 404,
      reason: 'NotFound',
      message: 'configmaps "x" not found',
    });
    connection.client.close();
  });

  it('names a missing context', async () => {
    await expect(connectToCluster({ kubeconfig, context: 'nope' })).rejects.toThrow(
      new UserError('invalid-argument', 'context "nope" not found in kubeconfig'),
    );
  });
});
