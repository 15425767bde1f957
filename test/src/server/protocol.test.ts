/**
 * The REST protocol as a client sees it on the wire: status codes, Status bodies,
 * headers, list metadata, discovery documents and fault injection.
 */
import { startTestCluster, type TestCluster } from './index';
import { apiRequest, type ApiRequestOptions } from '../testing/api-client';

let cluster: TestCluster;
const call = (method: string, path: string, opts?: ApiRequestOptions) =>
  apiRequest(cluster, method, path, opts);

const configMap = (
  name: string,
  namespace = 'proto',
  data: Record<string, string> = { a: '1' },
) => ({
  apiVersion: 'v1',
  kind: 'ConfigMap',
  metadata: { name, namespace },
  data,
});

beforeAll(async () => {
  cluster = await startTestCluster({ crdEstablishDelayMs: 50, recordRequests: true });
  await call('POST', '/api/v1/namespaces', {
    body: { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'proto' } },
  });
});

afterAll(async () => {
  await cluster?.stop();
});

describe('authentication', () => {
  test('missing or wrong tokens get a 401 Status', async () => {
    for (const token of [null, 'wrong']) {
      const res = await call('GET', '/api/v1/namespaces', { token });
      expect(res.status).toBe(401);
      expect(res.body).toEqual({
        kind: 'Status',
        apiVersion: 'v1',
        metadata: {},
        status: 'Failure',
        message: 'Unauthorized',
        reason: 'Unauthorized',
        code: 401,
      });
    }
  });

  test('/version and health checks are public', async () => {
    const version = await call('GET', '/version', { token: null });
    expect(version.status).toBe(200);
    expect(version.body).toMatchObject({ major: '1', minor: '32', gitVersion: 'v1.32.4' });
    expect((await call('GET', '/readyz', { token: null })).text).toBe('ok');
  });

  test('read-only token: writes are Forbidden with the RBAC wording', async () => {
    const res = await call('POST', '/apis/apps/v1/namespaces/proto/deployments', {
      token: cluster.readOnlyToken,
      body: { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'x' } },
    });
    expect(res.status).toBe(403);
    expect(res.body).toMatchObject({
      reason: 'Forbidden',
      message:
        'deployments.apps is forbidden: User "viewer" cannot create resource "deployments" in API group "apps" in the namespace "proto"',
      details: { group: 'apps', kind: 'deployments' },
      code: 403,
    });
    const cluster403 = await call('GET', '/api/v1/nodes', { token: cluster.readOnlyToken });
    expect(cluster403.status).toBe(200);
  });
});

describe('discovery', () => {
  test('legacy lists', async () => {
    expect((await call('GET', '/api')).body).toMatchObject({
      kind: 'APIVersions',
      versions: ['v1'],
    });
    const groups = (await call('GET', '/apis')).body;
    expect(groups.kind).toBe('APIGroupList');
    const apps = groups.groups.find((g: { name: string }) => g.name === 'apps');
    expect(apps).toEqual({
      name: 'apps',
      versions: [{ groupVersion: 'apps/v1', version: 'v1' }],
      preferredVersion: { groupVersion: 'apps/v1', version: 'v1' },
    });
    const list = (await call('GET', '/apis/apps/v1')).body;
    expect(list).toMatchObject({ kind: 'APIResourceList', groupVersion: 'apps/v1' });
    const names = list.resources.map((r: { name: string }) => r.name);
    expect(names).toEqual(
      expect.arrayContaining(['deployments', 'deployments/status', 'deployments/scale']),
    );
    expect(list.resources.find((r: { name: string }) => r.name === 'deployments')).toEqual({
      name: 'deployments',
      singularName: 'deployment',
      namespaced: true,
      kind: 'Deployment',
      verbs: ['create', 'delete', 'deletecollection', 'get', 'list', 'patch', 'update', 'watch'],
      shortNames: ['deploy'],
      categories: ['all'],
    });
  });

  test('aggregated discovery when asked for it', async () => {
    const res = await call('GET', '/apis', {
      accept:
        'application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList,application/json',
    });
    expect(res.headers['content-type']).toBe(
      'application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList',
    );
    expect(res.body.kind).toBe('APIGroupDiscoveryList');
    const batch = res.body.items.find(
      (i: { metadata: { name: string } }) => i.metadata.name === 'batch',
    );
    expect(batch.versions[0].resources.map((r: { resource: string }) => r.resource)).toEqual([
      'cronjobs',
      'jobs',
    ]);
  });

  test('unknown paths are 404 Status', async () => {
    const res = await call('GET', '/apis/nope.io/v1/things');
    expect(res.status).toBe(404);
    expect(res.body).toMatchObject({
      reason: 'NotFound',
      message: 'the server could not find the requested resource',
    });
  });
});

describe('create, read, update', () => {
  test('server-set metadata and one global resourceVersion counter', async () => {
    const a = await call('POST', '/api/v1/namespaces/proto/configmaps', {
      body: configMap('first'),
    });
    const b = await call('POST', '/api/v1/namespaces/proto/configmaps', {
      body: configMap('second'),
    });
    expect(a.status).toBe(201);
    expect(a.body.metadata).toMatchObject({ name: 'first', namespace: 'proto' });
    expect(a.body.metadata.uid).toMatch(/^[0-9a-f-]{36}$/);
    expect(a.body.metadata.creationTimestamp).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
    expect(Number(b.body.metadata.resourceVersion)).toBeGreaterThan(
      Number(a.body.metadata.resourceVersion),
    );
    expect(a.body.metadata.managedFields[0]).toMatchObject({
      manager: 'unknown',
      operation: 'Update',
      fieldsType: 'FieldsV1',
    });
  });

  test('generateName', async () => {
    const res = await call('POST', '/api/v1/namespaces/proto/configmaps', {
      body: { apiVersion: 'v1', kind: 'ConfigMap', metadata: { generateName: 'gen-' } },
    });
    expect(res.body.metadata.name).toMatch(/^gen-[bcdfghjklmnpqrstvwxz2456789]{5}$/);
  });

  test('AlreadyExists, NotFound, missing namespace', async () => {
    await call('POST', '/api/v1/namespaces/proto/configmaps', { body: configMap('dup') });
    const dup = await call('POST', '/api/v1/namespaces/proto/configmaps', {
      body: configMap('dup'),
    });
    expect(dup.status).toBe(409);
    expect(dup.body).toMatchObject({
      reason: 'AlreadyExists',
      message: 'configmaps "dup" already exists',
      details: { name: 'dup', kind: 'configmaps' },
    });
    const missing = await call('GET', '/apis/apps/v1/namespaces/proto/deployments/web');
    expect(missing.body).toEqual({
      kind: 'Status',
      apiVersion: 'v1',
      metadata: {},
      status: 'Failure',
      message: 'deployments.apps "web" not found',
      reason: 'NotFound',
      details: { name: 'web', group: 'apps', kind: 'deployments' },
      code: 404,
    });
    const noNs = await call('POST', '/api/v1/namespaces/ghost/configmaps', {
      body: configMap('x', 'ghost'),
    });
    expect(noNs.status).toBe(404);
    expect(noNs.body.message).toBe('namespaces "ghost" not found');
  });

  test('validation: 422 Invalid with causes, 400 for mismatches and bad bodies', async () => {
    const noName = await call('POST', '/api/v1/namespaces/proto/configmaps', {
      body: { apiVersion: 'v1', kind: 'ConfigMap', metadata: {} },
    });
    expect(noName.status).toBe(422);
    expect(noName.body).toMatchObject({
      reason: 'Invalid',
      message:
        'ConfigMap "" is invalid: metadata.name: Required value: name or generateName is required',
      details: {
        kind: 'ConfigMap',
        causes: [
          {
            reason: 'FieldValueRequired',
            message: 'Required value: name or generateName is required',
            field: 'metadata.name',
          },
        ],
      },
    });
    const badName = await call('POST', '/api/v1/namespaces/proto/configmaps', {
      body: configMap('Bad_Name'),
    });
    expect(badName.body.message).toContain(
      'ConfigMap "Bad_Name" is invalid: metadata.name: Invalid value: "Bad_Name": a lowercase RFC 1123 subdomain',
    );
    const mismatch = await call('POST', '/api/v1/namespaces/proto/configmaps', {
      body: configMap('x', 'other'),
    });
    expect(mismatch.status).toBe(400);
    expect(mismatch.body.message).toBe(
      'the namespace of the provided object does not match the namespace sent on the request',
    );
    const garbage = await call('POST', '/api/v1/namespaces/proto/configmaps', {
      body: '{not json',
    });
    expect(garbage.status).toBe(400);
    const wrongKind = await call('POST', '/api/v1/namespaces/proto/configmaps', {
      body: { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'x' } },
    });
    expect(wrongKind.body.message).toBe(
      'the API version in the data (apps/v1) does not match the expected API version (v1)',
    );
    const withRv = await call('POST', '/api/v1/namespaces/proto/configmaps', {
      body: { ...configMap('rv'), metadata: { name: 'rv', resourceVersion: '5' } },
    });
    expect(withRv.status).toBe(500);
    expect(withRv.body.message).toBe('resourceVersion should not be set on objects to be created');
  });

  test('decoding errors are 400s worded like Go decoding errors', async () => {
    const badLabel = await call('POST', '/api/v1/namespaces/proto/configmaps', {
      body: {
        apiVersion: 'v1',
        kind: 'ConfigMap',
        metadata: { name: 'l', labels: { version: 1.5 } },
      },
    });
    expect(badLabel.status).toBe(400);
    expect(badLabel.body.message).toBe(
      'ConfigMap in version "v1" cannot be handled as a ConfigMap: json: cannot unmarshal number into Go struct field ObjectMeta.metadata.labels of type string',
    );
    const badData = await call('POST', '/api/v1/namespaces/proto/secrets', {
      body: {
        apiVersion: 'v1',
        kind: 'Secret',
        metadata: { name: 's' },
        data: { key: 'not base64!' },
      },
    });
    expect(badData.status).toBe(400);
    expect(badData.body.message).toBe(
      'Secret in version "v1" cannot be handled as a Secret: illegal base64 data at input byte 3',
    );
  });

  test('405 for verbs a path does not take', async () => {
    expect(
      (await call('POST', '/api/v1/namespaces/proto/configmaps/dup', { body: configMap('dup') }))
        .status,
    ).toBe(405);
    expect(
      (await call('PATCH', '/api/v1/namespaces/proto/configmaps', { body: '{}' })).status,
    ).toBe(405);
    const res = await call('DELETE', '/api/v1/namespaces');
    expect(res.status).toBe(405);
    expect(res.body.reason).toBe('MethodNotAllowed');
  });

  test('optimistic concurrency on update', async () => {
    const created = (
      await call('POST', '/api/v1/namespaces/proto/configmaps', { body: configMap('occ') })
    ).body;
    const first = await call('PUT', '/api/v1/namespaces/proto/configmaps/occ', {
      body: { ...created, data: { a: '2' } },
    });
    expect(first.status).toBe(200);
    const stale = await call('PUT', '/api/v1/namespaces/proto/configmaps/occ', {
      body: { ...created, data: { a: '3' } },
    });
    expect(stale.status).toBe(409);
    expect(stale.body).toMatchObject({
      reason: 'Conflict',
      message:
        'Operation cannot be fulfilled on configmaps "occ": the object has been modified; please apply your changes to the latest version and try again',
    });
    const { resourceVersion: _rv, ...noRv } = first.body.metadata;
    const unconditional = await call('PUT', '/api/v1/namespaces/proto/configmaps/occ', {
      body: { ...first.body, metadata: noRv, data: { a: '4' } },
    });
    expect(unconditional.status).toBe(200);
    const noop = await call('PUT', '/api/v1/namespaces/proto/configmaps/occ', {
      body: unconditional.body,
    });
    expect(noop.body.metadata.resourceVersion).toBe(unconditional.body.metadata.resourceVersion);
  });

  test('dry run validates and stores nothing', async () => {
    const res = await call('POST', '/api/v1/namespaces/proto/configmaps?dryRun=All', {
      body: configMap('dry'),
    });
    expect(res.status).toBe(201);
    expect(res.body.metadata.uid).toBeTruthy();
    expect(res.body.metadata.resourceVersion).toBeUndefined();
    expect((await call('GET', '/api/v1/namespaces/proto/configmaps/dry')).status).toBe(404);
    const invalid = await call('POST', '/api/v1/namespaces/proto/configmaps?dryRun=All', {
      body: configMap('Bad'),
    });
    expect(invalid.status).toBe(422);
    const del = await call('DELETE', '/api/v1/namespaces/proto/configmaps/dup?dryRun=All');
    expect(del.status).toBe(200);
    expect((await call('GET', '/api/v1/namespaces/proto/configmaps/dup')).status).toBe(200);
  });

  test('fieldManager is recorded for plain writes', async () => {
    const res = await call('POST', '/api/v1/namespaces/proto/configmaps?fieldManager=restorer', {
      body: configMap('fm'),
    });
    expect(res.body.metadata.managedFields).toEqual([
      {
        manager: 'restorer',
        operation: 'Update',
        apiVersion: 'v1',
        time: expect.any(String),
        fieldsType: 'FieldsV1',
        fieldsV1: { 'f:data': { '.': {}, 'f:a': {} } },
      },
    ]);
  });
});

describe('lists', () => {
  beforeAll(async () => {
    await call('POST', '/api/v1/namespaces', {
      body: { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'paged' } },
    });
    for (let i = 0; i < 7; i++) {
      const labels = { index: String(i), parity: i % 2 ? 'odd' : 'even' };
      await call('POST', '/api/v1/namespaces/paged/configmaps', {
        body: { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: `cm-${i}`, labels } },
      });
    }
  });

  test('typed lists: kind XList, items without apiVersion/kind, list resourceVersion', async () => {
    const res = await call('GET', '/api/v1/namespaces/paged/configmaps');
    expect(res.body.kind).toBe('ConfigMapList');
    expect(res.body.apiVersion).toBe('v1');
    expect(res.body.metadata.resourceVersion).toMatch(/^\d+$/);
    expect(res.body.items.map((i: { metadata: { name: string } }) => i.metadata.name)).toEqual([
      'cm-0',
      'cm-1',
      'cm-2',
      'cm-3',
      'cm-4',
      'cm-5',
      'cm-6',
      'kube-root-ca.crt',
    ]);
    expect(res.body.items[0].kind).toBeUndefined();
  });

  test('limit and continue, with remainingItemCount', async () => {
    const first = await call('GET', '/api/v1/namespaces/paged/configmaps?limit=3');
    expect(first.body.items).toHaveLength(3);
    expect(first.body.metadata.remainingItemCount).toBe(5);
    const token = encodeURIComponent(first.body.metadata.continue);
    const second = await call(
      'GET',
      `/api/v1/namespaces/paged/configmaps?limit=3&continue=${token}`,
    );
    expect(second.body.items.map((i: { metadata: { name: string } }) => i.metadata.name)).toEqual([
      'cm-3',
      'cm-4',
      'cm-5',
    ]);
    const third = await call(
      'GET',
      `/api/v1/namespaces/paged/configmaps?limit=3&continue=${encodeURIComponent(second.body.metadata.continue)}`,
    );
    expect(third.body.items).toHaveLength(2);
    expect(third.body.metadata.continue).toBeUndefined();
  });

  test('an expired continue token is 410 Expired', async () => {
    const first = await call('GET', '/api/v1/namespaces/paged/configmaps?limit=2');
    cluster.faults.expireNextContinue();
    const res = await call(
      'GET',
      `/api/v1/namespaces/paged/configmaps?limit=2&continue=${encodeURIComponent(first.body.metadata.continue)}`,
    );
    expect(res.status).toBe(410);
    expect(res.body).toMatchObject({ reason: 'Expired', code: 410 });
    expect(res.body.message).toMatch(/^The provided continue parameter is too old/);
    const retry = await call(
      'GET',
      `/api/v1/namespaces/paged/configmaps?limit=2&continue=${encodeURIComponent(first.body.metadata.continue)}`,
    );
    expect(retry.status).toBe(200);
  });

  test('label selectors and field selectors', async () => {
    const names = async (query: string) =>
      (await call('GET', `/api/v1/namespaces/paged/configmaps?${query}`)).body.items.map(
        (i: { metadata: { name: string } }) => i.metadata.name,
      );
    expect(await names('labelSelector=parity%3Dodd')).toEqual(['cm-1', 'cm-3', 'cm-5']);
    expect(
      await names('labelSelector=' + encodeURIComponent('index in (1,2),parity!=odd')),
    ).toEqual(['cm-2']);
    expect(await names('labelSelector=' + encodeURIComponent('!parity'))).toEqual([
      'kube-root-ca.crt',
    ]);
    expect(await names('labelSelector=index%3E4')).toEqual(['cm-5', 'cm-6']);
    expect(await names('fieldSelector=metadata.name%3Dcm-4')).toEqual(['cm-4']);
    expect(await names('fieldSelector=metadata.name!%3Dcm-4&labelSelector=parity%3Deven')).toEqual([
      'cm-0',
      'cm-2',
      'cm-6',
    ]);
    const bad = await call('GET', '/api/v1/namespaces/paged/configmaps?fieldSelector=spec.foo%3Dx');
    expect(bad.status).toBe(400);
    expect(bad.body.message).toBe('field label not supported: spec.foo');
  });

  test('Table responses for kubectl', async () => {
    const res = await call('GET', '/api/v1/namespaces/paged/configmaps?limit=1', {
      accept: 'application/json;as=Table;v=v1;g=meta.k8s.io,application/json',
    });
    expect(res.body.kind).toBe('Table');
    expect(res.body.columnDefinitions.map((c: { name: string }) => c.name)).toEqual([
      'Name',
      'Data',
      'Age',
    ]);
    expect(res.body.rows[0].cells.slice(0, 2)).toEqual(['cm-0', 0]);
    expect(res.body.rows[0].object.kind).toBe('PartialObjectMetadata');
    expect(res.body.metadata.continue).toBeTruthy();
  });
});

describe('faults and the request log', () => {
  test('throttle: 429 with Retry-After for matching requests only', async () => {
    cluster.faults.throttle(2, req => req.path.endsWith('/secrets'));
    const first = await call('GET', '/api/v1/namespaces/proto/secrets');
    expect(first.status).toBe(429);
    expect(first.headers['retry-after']).toBe('1');
    expect(first.body).toMatchObject({
      reason: 'TooManyRequests',
      details: { retryAfterSeconds: 1 },
      code: 429,
    });
    expect((await call('GET', '/api/v1/namespaces/proto/configmaps')).status).toBe(200);
    expect((await call('GET', '/api/v1/namespaces/proto/secrets')).status).toBe(429);
    expect((await call('GET', '/api/v1/namespaces/proto/secrets')).status).toBe(200);
  });

  test('requests are recorded with method, path, query, content type and status', async () => {
    cluster.requests.length = 0;
    await call('PATCH', '/api/v1/namespaces/proto/configmaps/dup?fieldManager=me', {
      body: '{"data":{"b":"2"}}',
      contentType: 'application/merge-patch+json',
    });
    expect(cluster.requests).toEqual([
      {
        method: 'PATCH',
        path: '/api/v1/namespaces/proto/configmaps/dup',
        query: 'fieldManager=me',
        contentType: 'application/merge-patch+json',
        userAgent: undefined,
        status: 200,
      },
    ]);
  });

  test('forbid: one resource type denied to one token', async () => {
    cluster.faults.forbid(cluster.token, 'configmaps');
    try {
      const res = await call('GET', '/api/v1/namespaces/proto/configmaps/dup');
      expect(res.status).toBe(403);
      expect(res.body.message).toBe(
        'configmaps "dup" is forbidden: User "admin" cannot get resource "configmaps" in API group "" in the namespace "proto"',
      );
      expect((await call('GET', '/api/v1/namespaces/proto/secrets')).status).toBe(200);
    } finally {
      cluster.faults.reset();
    }
  });
});

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type WatchEvent = { type: string; object: any };

/** The first `count` events of a watch, then the stream is closed. */
async function watchEvents(path: string, count: number): Promise<WatchEvent[]> {
  const https = await import('node:https');
  const { readFileSync } = await import('node:fs');
  return new Promise((resolve, reject) => {
    const events: WatchEvent[] = [];
    const req = https.request(
      new URL(path, cluster.url),
      { headers: { Authorization: `Bearer ${cluster.token}` }, ca: readFileSync(cluster.caFile!) },
      res => {
        let buffer = '';
        res.on('data', (chunk: Buffer) => {
          buffer += chunk.toString();
          let nl: number;
          while ((nl = buffer.indexOf('\n')) >= 0 && events.length < count) {
            events.push(JSON.parse(buffer.slice(0, nl)));
            buffer = buffer.slice(nl + 1);
          }
          if (events.length >= count) {
            req.destroy();
            resolve(events);
          }
        });
      },
    );
    req.on('error', error => (events.length >= count ? resolve(events) : reject(error)));
    req.end();
  });
}

describe('watch', () => {
  test('watch-list: initial events end with an initial-events-end bookmark', async () => {
    const events = await watchEvents(
      '/api/v1/namespaces/paged/configmaps?watch=1&sendInitialEvents=true&resourceVersionMatch=NotOlderThan&allowWatchBookmarks=true',
      9,
    );
    expect(events.slice(0, 8).every(e => e.type === 'ADDED')).toBe(true);
    expect(events[8].type).toBe('BOOKMARK');
    expect(events[8].object.metadata.annotations).toEqual({ 'k8s.io/initial-events-end': 'true' });
  });

  test('streams ADDED for current objects, then changes', async () => {
    const events: Array<{ type: string; name: string }> = [];
    const https = await import('node:https');
    const { readFileSync } = await import('node:fs');
    const url = new URL(
      '/api/v1/namespaces/proto/configmaps?watch=true&fieldSelector=metadata.name%3Dwatched',
      cluster.url,
    );
    await call('POST', '/api/v1/namespaces/proto/configmaps', { body: configMap('watched') });
    await new Promise<void>((resolve, reject) => {
      const req = https.request(
        url,
        {
          headers: { Authorization: `Bearer ${cluster.token}` },
          ca: readFileSync(cluster.caFile!),
        },
        res => {
          let buffer = '';
          res.on('data', (chunk: Buffer) => {
            buffer += chunk.toString();
            let nl: number;
            while ((nl = buffer.indexOf('\n')) >= 0) {
              const event = JSON.parse(buffer.slice(0, nl));
              buffer = buffer.slice(nl + 1);
              events.push({ type: event.type, name: event.object.metadata.name });
              if (events.length === 1) {
                void call('PATCH', '/api/v1/namespaces/proto/configmaps/watched', {
                  body: '{"data":{"z":"1"}}',
                  contentType: 'application/merge-patch+json',
                }).then(() => call('DELETE', '/api/v1/namespaces/proto/configmaps/watched'));
              }
              if (events.length === 3) {
                req.destroy();
                resolve();
              }
            }
          });
        },
      );
      req.on('error', error => (events.length === 3 ? resolve() : reject(error)));
      req.end();
    });
    expect(events).toEqual([
      { type: 'ADDED', name: 'watched' },
      { type: 'MODIFIED', name: 'watched' },
      { type: 'DELETED', name: 'watched' },
    ]);
  });

  test('from a list’s resourceVersion, replays what changed since, deletions at a newer version', async () => {
    // kubectl wait, informers and reflectors list, then watch from the list's version: a
    // change between the two must reach them.
    const list = await call('GET', '/api/v1/namespaces/proto/configmaps');
    const listed = Number(list.body.metadata.resourceVersion);
    await call('POST', '/api/v1/namespaces/proto/configmaps', { body: configMap('in-gap') });
    await call('PATCH', '/api/v1/namespaces/proto/configmaps/in-gap', {
      body: '{"data":{"z":"1"}}',
      contentType: 'application/merge-patch+json',
    });
    await call('DELETE', '/api/v1/namespaces/proto/configmaps/in-gap');
    const events = await watchEvents(
      `/api/v1/namespaces/proto/configmaps?watch=true&resourceVersion=${listed}`,
      3,
    );
    expect(events.map(e => `${e.type} ${e.object.metadata.name}`)).toEqual([
      'ADDED in-gap',
      'MODIFIED in-gap',
      'DELETED in-gap',
    ]);
    const versions = events.map(e => Number(e.object.metadata.resourceVersion));
    expect(versions[0]).toBeGreaterThan(listed);
    expect(versions[1]).toBeGreaterThan(versions[0]);
    expect(versions[2]).toBeGreaterThan(versions[1]);
  });
});
