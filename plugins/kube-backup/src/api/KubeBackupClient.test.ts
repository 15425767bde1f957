import { ResponseError } from '@backstage/errors';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { KubeBackupClient, entityPath } from './KubeBackupClient';

interface Seen {
  method: string;
  url: string;
  authorization?: string;
  contentType?: string;
  body?: unknown;
}

async function readBody(req: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  const text = Buffer.concat(chunks).toString('utf8');
  return text ? JSON.parse(text) : undefined;
}

describe('KubeBackupClient against an HTTP server', () => {
  let server: Server;
  let base: string;
  const seen: Seen[] = [];
  /** A JSON body, or with `headers` the body's bytes as they are (a download). */
  const routes: Record<
    string,
    { status: number; body: unknown; headers?: Record<string, string> }
  > = {};

  beforeAll(async () => {
    server = createServer(async (req, res) => {
      const body = await readBody(req);
      seen.push({
        method: req.method!,
        url: req.url!,
        authorization: req.headers.authorization,
        contentType: req.headers['content-type'],
        body,
      });
      const path = req.url!.replace(/^\/api\/kube-backup/, '');
      const route = routes[`${req.method} ${path}`] ?? {
        status: 404,
        body: {
          error: { name: 'NotFoundError', message: `no route ${path}` },
          response: { statusCode: 404 },
        },
      };
      if (route.headers) {
        res.writeHead(route.status, route.headers);
        res.end(route.body);
        return;
      }
      res.writeHead(route.status, { 'Content-Type': 'application/json' });
      res.end(JSON.stringify(route.body));
    });
    await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}/api/kube-backup`;
  });

  afterAll(async () => {
    await new Promise(resolve => server.close(resolve));
  });

  beforeEach(() => {
    seen.length = 0;
  });

  // Backstage's fetchApi adds the signed-in user's token; the client must go through it.
  function client() {
    const discovered: string[] = [];
    const instance = new KubeBackupClient({
      discoveryApi: {
        getBaseUrl: async pluginId => {
          discovered.push(pluginId);
          return base;
        },
      },
      fetchApi: {
        fetch: (input, init) => {
          const headers = new Headers(init?.headers);
          headers.set('Authorization', 'Bearer user-token');
          return fetch(input, { ...init, headers });
        },
      },
    });
    return { instance, discovered };
  }

  it('lists snapshots of an entity with its query, through discovery and fetchApi', async () => {
    routes['GET /entities/component/default/storefront/snapshots?tag=release&limit=5&offset=10'] = {
      status: 200,
      body: { items: [{ id: 'abc' }], totalCount: 11, offset: 10, limit: 5 },
    };
    const { instance, discovered } = client();
    const list = await instance.listSnapshots('component:default/storefront', {
      tag: 'release',
      limit: 5,
      offset: 10,
      since: undefined,
    });
    expect(list).toEqual({ items: [{ id: 'abc' }], totalCount: 11, offset: 10, limit: 5 });
    expect(discovered).toEqual(['kube-backup']);
    expect(seen).toEqual([
      expect.objectContaining({
        method: 'GET',
        url: '/api/kube-backup/entities/component/default/storefront/snapshots?tag=release&limit=5&offset=10',
        authorization: 'Bearer user-token',
        body: undefined,
      }),
    ]);
  });

  it("lists, searches and downloads a volume's files at its own routes", async () => {
    const volume = `/entities/component/default/web/snapshots/abc/volumes/shop/data/files`;
    const ref = { snapshotId: 'abc', namespace: 'shop', claim: 'data' };
    routes[`GET ${volume}?path=%2Fconf`] = { status: 200, body: { path: '/conf', entries: [] } };
    routes[`GET ${volume}/search?name=app+yaml`] = {
      status: 200,
      body: { entries: [], truncated: false },
    };
    routes[`GET ${volume}/content?path=%2Fconf%2Fr%C3%A9sum%C3%A9.txt`] = {
      status: 200,
      body: 'the bytes',
      headers: {
        'Content-Type': 'application/octet-stream',
        'Content-Disposition': `attachment; filename="r?sum?.txt"; filename*=UTF-8''r%C3%A9sum%C3%A9.txt`,
      },
    };
    const { instance } = client();
    expect(await instance.listFiles('component:default/web', ref, '/conf')).toEqual({
      path: '/conf',
      entries: [],
    });
    expect(await instance.searchFiles('component:default/web', ref, 'app yaml')).toEqual({
      entries: [],
      truncated: false,
    });
    const file = await instance.downloadFile('component:default/web', ref, '/conf/résumé.txt');
    expect(file.fileName).toBe('résumé.txt');
    expect(await file.content.text()).toBe('the bytes');
    routes[`GET ${volume}/content?path=%2Fsecret`] = {
      status: 403,
      body: { error: { name: 'NotAllowedError', message: 'only an owner' } },
    };
    await expect(
      instance.downloadFile('component:default/web', ref, '/secret'),
    ).rejects.toMatchObject({
      name: 'ResponseError',
      statusCode: 403,
    });
  });

  it('reads detail, targets, hydrations and restore requests, unwrapping item lists', async () => {
    const entity = { kind: 'Component', namespace: 'shop', name: 'Web' };
    routes['GET /entities/component/shop/web/snapshots/abc%2F1'] = {
      status: 200,
      body: { id: 'abc/1' },
    };
    routes['GET /entities/component/shop/web/hydration-targets'] = {
      status: 200,
      body: { items: [{ name: 'dev', cluster: 'dev', namespaces: ['dev-*'] }] },
    };
    routes['GET /entities/component/shop/web/hydrations'] = {
      status: 200,
      body: { items: [{ id: 'j1' }] },
    };
    routes['GET /hydrations/j1'] = { status: 200, body: { id: 'j1', status: 'running' } };
    routes['GET /entities/component/shop/web/restore-requests'] = {
      status: 200,
      body: { items: [{ id: 'r1' }] },
    };
    routes['GET /restore-requests/r1'] = { status: 200, body: { id: 'r1', status: 'pending' } };
    const { instance } = client();
    expect(await instance.getSnapshot(entity, 'abc/1')).toEqual({ id: 'abc/1' });
    expect(await instance.listHydrationTargets(entity)).toEqual([
      { name: 'dev', cluster: 'dev', namespaces: ['dev-*'] },
    ]);
    expect(await instance.listHydrations(entity)).toEqual([{ id: 'j1' }]);
    expect(await instance.getHydration('j1')).toEqual({ id: 'j1', status: 'running' });
    expect(await instance.listRestoreRequests(entity)).toEqual([{ id: 'r1' }]);
    expect(await instance.getRestoreRequest('r1')).toEqual({ id: 'r1', status: 'pending' });
    expect(seen.every(request => request.authorization === 'Bearer user-token')).toBe(true);
  });

  it('posts hydrations, restore requests and decisions as JSON', async () => {
    routes['POST /entities/component/default/storefront/hydrations'] = {
      status: 202,
      body: { id: 'j2', status: 'pending' },
    };
    routes['POST /entities/component/default/storefront/restore-requests'] = {
      status: 201,
      body: { id: 'r2', status: 'pending' },
    };
    routes['POST /restore-requests/r2/decision'] = {
      status: 200,
      body: { id: 'r2', status: 'approved' },
    };
    const { instance } = client();
    const hydration = {
      snapshotId: 'abc',
      target: 'dev',
      namespace: 'dev-me',
      includeSecrets: false,
      replicas: 1,
    };
    expect(await instance.startHydration('component:default/storefront', hydration)).toEqual({
      id: 'j2',
      status: 'pending',
    });
    const restore = { snapshotId: 'abc', reason: 'outage', scope: { namespaces: ['shop'] } };
    expect(await instance.requestRestore('component:default/storefront', restore)).toEqual({
      id: 'r2',
      status: 'pending',
    });
    expect(
      await instance.decideRestoreRequest('r2', { decision: 'approve', comment: 'ok' }),
    ).toEqual({
      id: 'r2',
      status: 'approved',
    });
    expect(seen.map(request => [request.method, request.contentType, request.body])).toEqual([
      ['POST', 'application/json', hydration],
      ['POST', 'application/json', restore],
      ['POST', 'application/json', { decision: 'approve', comment: 'ok' }],
    ]);
  });

  it("turns the backend's error JSON into a ResponseError with status and message", async () => {
    routes['POST /entities/component/default/storefront/hydrations'] = {
      status: 403,
      body: {
        error: { name: 'NotAllowedError', message: 'hydration target "prod" is not allowed' },
        request: { method: 'POST', url: '/hydrations' },
        response: { statusCode: 403 },
      },
    };
    const { instance } = client();
    const error = await instance
      .startHydration('component:default/storefront', {
        snapshotId: 'a',
        target: 'prod',
        namespace: 'x',
      })
      .catch(caught => caught);
    expect(error).toBeInstanceOf(ResponseError);
    expect(error.statusCode).toBe(403);
    expect(error.body.error.message).toBe('hydration target "prod" is not allowed');
    const missing = await instance.getHydration('nope').catch(caught => caught);
    expect(missing.statusCode).toBe(404);
  });

  it('builds entity paths from refs, defaulting kind and namespace', () => {
    expect(entityPath('storefront')).toBe('/entities/component/default/storefront');
    expect(entityPath('Group:Team/Shop')).toBe('/entities/group/team/shop');
    expect(entityPath({ kind: 'API', name: 'orders' })).toBe('/entities/api/default/orders');
  });
});
