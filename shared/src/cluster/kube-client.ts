import * as http from 'node:http';
import * as https from 'node:https';
import { UserError } from '../errors';
import { KubeApiError, kubeApiErrorFrom } from './kube-api-error';
import { ConcurrencyLimiter } from '../util/limiter';

export type QueryValue = string | number | boolean | undefined;

export interface KubeRequest {
  method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  path: string;
  query?: Record<string, QueryValue>;
  body?: unknown;
  contentType?: string;
}

export interface KubeClientOptions {
  /** Requests in flight at once. */
  concurrency?: number;
  /** How often a throttled (429) request is retried before giving up. */
  maxThrottleRetries?: number;
  /** Longest wait honoured from a Retry-After header, in seconds. */
  maxRetryAfterSeconds?: number;
}

/**
 * JSON over HTTP(S) to one API server. Objects stay raw JSON so no field is dropped;
 * TLS material and credentials come from the kubeconfig (see connectToCluster).
 */
export class KubeClient {
  private readonly limiter: ConcurrencyLimiter;
  private readonly agent: http.Agent;
  private readonly transport: typeof http | typeof https;
  private readonly maxThrottleRetries: number;
  private readonly maxRetryAfterSeconds: number;

  constructor(
    readonly server: string,
    private readonly requestOptions: https.RequestOptions,
    options: KubeClientOptions = {},
  ) {
    const concurrency = options.concurrency ?? 32;
    this.limiter = new ConcurrencyLimiter(concurrency);
    const url = new URL(server);
    this.transport = url.protocol === 'http:' ? http : https;
    const { ca, cert, key, pfx, passphrase, rejectUnauthorized, servername } = requestOptions;
    this.agent =
      (requestOptions.agent as http.Agent | undefined) ??
      new this.transport.Agent({
        keepAlive: true,
        maxSockets: concurrency,
        ca,
        cert,
        key,
        pfx,
        passphrase,
        rejectUnauthorized,
        servername,
      } as https.AgentOptions);
    this.maxThrottleRetries = options.maxThrottleRetries ?? 5;
    this.maxRetryAfterSeconds = options.maxRetryAfterSeconds ?? 30;
  }

  get concurrency(): number {
    return this.limiter.limit;
  }

  async request<T>(req: KubeRequest): Promise<T> {
    for (let attempt = 0; ; attempt++) {
      try {
        return await this.limiter.run(() => this.send<T>(req));
      } catch (error) {
        if (
          error instanceof KubeApiError &&
          error.status === 429 &&
          attempt < this.maxThrottleRetries
        ) {
          const seconds = Math.min(error.retryAfterSeconds ?? 1, this.maxRetryAfterSeconds);
          await new Promise(resolve => setTimeout(resolve, seconds * 1000));
          continue;
        }
        throw error;
      }
    }
  }

  close(): void {
    this.agent.destroy();
  }

  /**
   * A GET whose body is handed over as it arrives (a followed pod log, a watch), outside
   * the concurrency limit since it may stay open for long. `signal` ends it.
   */
  stream(
    req: Pick<KubeRequest, 'path' | 'query'>,
    signal?: AbortSignal,
  ): Promise<http.IncomingMessage> {
    return new Promise((resolve, reject) => {
      const request = this.open({ method: 'GET', ...req }, undefined, response => {
        const status = response.statusCode ?? 0;
        if (status >= 200 && status < 300) resolve(response);
        else this.readError(response, status).then(reject, reject);
      });
      request.on('error', error => reject(this.transportError(error)));
      if (signal) {
        const abort = () => request.destroy(new Error('aborted'));
        if (signal.aborted) abort();
        else signal.addEventListener('abort', abort, { once: true });
      }
      request.end();
    });
  }

  private send<T>(req: KubeRequest): Promise<T> {
    const payload =
      req.body === undefined
        ? undefined
        : Buffer.from(typeof req.body === 'string' ? req.body : JSON.stringify(req.body));
    return new Promise<T>((resolve, reject) => {
      const request = this.open(req, payload, response => {
        const status = response.statusCode ?? 0;
        if (!(status >= 200 && status < 300)) {
          this.readError(response, status).then(reject, reject);
          return;
        }
        const chunks: Buffer[] = [];
        response.on('data', (chunk: Buffer) => chunks.push(chunk));
        response.on('error', reject);
        response.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          try {
            resolve((text ? JSON.parse(text) : undefined) as T);
          } catch {
            reject(new KubeApiError(status, 'InvalidResponse', `invalid JSON from ${req.path}`));
          }
        });
      });
      request.on('error', error => reject(this.transportError(error)));
      if (payload) request.end(payload);
      else request.end();
    });
  }

  private open(
    req: KubeRequest,
    payload: Buffer | undefined,
    onResponse: (response: http.IncomingMessage) => void,
  ): http.ClientRequest {
    const url = new URL(this.server.replace(/\/$/, '') + req.path);
    for (const [key, value] of Object.entries(req.query ?? {})) {
      if (value !== undefined) url.searchParams.set(key, String(value));
    }
    const headers: http.OutgoingHttpHeaders = {
      ...(this.requestOptions.headers as http.OutgoingHttpHeaders | undefined),
      Accept: 'application/json',
    };
    if (payload) {
      headers['Content-Type'] = req.contentType ?? 'application/json';
      headers['Content-Length'] = payload.length;
    }
    return this.transport.request(
      url,
      { ...this.requestOptions, method: req.method, headers, agent: this.agent },
      onResponse,
    );
  }

  /** The error a non-2xx response stands for, once its body (a Status) is read. */
  private readError(response: http.IncomingMessage, status: number): Promise<Error> {
    return new Promise(resolve => {
      const chunks: Buffer[] = [];
      response.on('data', (chunk: Buffer) => chunks.push(chunk));
      response.on('error', error => resolve(error));
      response.on('end', () => {
        if (status === 401) {
          resolve(
            new UserError(
              'unauthorized',
              `the cluster at ${this.server} refused the credentials (401 Unauthorized)`,
            ),
          );
          return;
        }
        const retryAfter = response.headers['retry-after'];
        resolve(
          kubeApiErrorFrom(
            status,
            Buffer.concat(chunks).toString('utf8'),
            Array.isArray(retryAfter) ? retryAfter[0] : retryAfter,
          ),
        );
      });
    });
  }

  private transportError(error: NodeJS.ErrnoException): Error {
    if (error.message === 'aborted') return error;
    return new UserError(
      'cluster-unreachable',
      `cannot reach the cluster at ${this.server}: ${error.code ?? error.message}`,
    );
  }
}
