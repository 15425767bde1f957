/**
 * Fidelity: @kubernetes/client-node's Exec (WebSocket, v5/v4 channel protocols) and Log
 * against pods on the node, unchanged, as against a real cluster.
 */
import '../testing/symbol-dispose';
import { Exec, KubeConfig, Log, type V1Status } from '@kubernetes/client-node';
import { PassThrough, Writable } from 'node:stream';
import {
  phaseIs,
  pod,
  startPodCluster,
  type PodCluster,
  type PodStatus,
} from '../testing/pod-cluster';

let cluster: PodCluster;
let kc: KubeConfig;

beforeAll(async () => {
  cluster = await startPodCluster('client-node');
  kc = new KubeConfig();
  kc.loadFromFile(cluster.kubeconfig);
  await cluster.apply(pod('shell', { command: ['sh', '-c', 'echo started; exec sleep 3600'] }));
  await cluster.until<PodStatus>('pod', 'shell', phaseIs('Running'));
});

afterAll(async () => {
  await cluster?.stop();
});

function collector(): { stream: Writable; text: () => string } {
  const chunks: Buffer[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _encoding, done) {
      chunks.push(chunk);
      done();
    },
  });
  return { stream, text: () => Buffer.concat(chunks).toString('utf8') };
}

function exec(
  command: string[],
  stdin?: string,
): Promise<{ stdout: string; stderr: string; status: V1Status }> {
  const out = collector();
  const err = collector();
  const input = stdin === undefined ? null : new PassThrough();
  return new Promise((resolve, reject) => {
    new Exec(kc)
      .exec(
        cluster.namespace,
        'shell',
        'main',
        command,
        out.stream,
        err.stream,
        input,
        false,
        status => resolve({ stdout: out.text(), stderr: err.text(), status }),
      )
      .then(() => input?.end(stdin), reject);
  });
}

test('Exec runs a command in the container and reports success', async () => {
  const result = await exec(['sh', '-c', 'echo $HOSTNAME; echo oops >&2']);
  expect(result).toMatchObject({
    stdout: 'shell\n',
    stderr: 'oops\n',
    status: { status: 'Success' },
  });
});

test('Exec passes stdin and reports a non-zero exit code in the status', async () => {
  const result = await exec(['sh', '-c', 'cat; exit 4'], 'piped in\n');
  expect(result.stdout).toBe('piped in\n');
  expect(result.status).toMatchObject({
    status: 'Failure',
    reason: 'NonZeroExitCode',
    details: { causes: [{ reason: 'ExitCode', message: '4' }] },
  });
});

test('Log returns the container output and follows it until the container ends', async () => {
  await cluster.apply(
    pod(
      'talker',
      { command: ['sh', '-c', 'echo one; while [ ! -e /tmp/go ]; do sleep 0.05; done; echo two'] },
      { restartPolicy: 'Never' },
    ),
  );
  await cluster.until<PodStatus>('pod', 'talker', phaseIs('Running'));
  const out = new PassThrough();
  let text = '';
  const ended = new Promise<void>(resolve => {
    out.on('data', (chunk: Buffer) => (text += chunk.toString()));
    out.on('end', () => resolve());
  });
  await new Log(kc).log(cluster.namespace, 'talker', 'main', out, { follow: true });
  const execResult = new Exec(kc).exec(
    cluster.namespace,
    'talker',
    'main',
    ['touch', '/tmp/go'],
    null,
    null,
    null,
    false,
  );
  await execResult;
  await ended;
  expect(text).toBe('one\ntwo\n');
  const tail = new PassThrough();
  let last = '';
  tail.on('data', (chunk: Buffer) => (last += chunk.toString()));
  await new Promise<void>(resolve => {
    tail.on('end', () => resolve());
    void new Log(kc).log(cluster.namespace, 'talker', 'main', tail, { tailLines: 1 });
  });
  expect(last).toBe('two\n');
});
