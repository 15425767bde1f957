/**
 * Raw HTTPS requests to a test cluster, for tests that assert on the protocol itself
 * (status codes, headers, Status bodies) rather than on what a client library makes of it.
 */
import { readFileSync } from 'node:fs';
import * as http from 'node:http';
import * as https from 'node:https';

export interface ClusterAddress {
  url: string;
  token: string;
  caFile?: string;
}

export interface ApiResponse {
  status: number;
  headers: http.IncomingHttpHeaders;
  text: string;
  /** The parsed JSON body (undefined when the body is not JSON). */
  body: any; // eslint-disable-line @typescript-eslint/no-explicit-any
}

export interface ApiRequestOptions {
  body?: unknown;
  contentType?: string;
  accept?: string;
  /** Bearer token; null sends no Authorization header. Defaults to the cluster's token. */
  token?: string | null;
}

export function apiRequest(
  cluster: ClusterAddress,
  method: string,
  path: string,
  opts: ApiRequestOptions = {},
): Promise<ApiResponse> {
  const url = new URL(path, cluster.url);
  const body =
    opts.body === undefined
      ? undefined
      : typeof opts.body === 'string'
        ? opts.body
        : JSON.stringify(opts.body);
  const headers: Record<string, string> = { Accept: opts.accept ?? 'application/json' };
  const token = opts.token === undefined ? cluster.token : opts.token;
  if (token) headers.Authorization = `Bearer ${token}`;
  if (body !== undefined) {
    headers['Content-Type'] = opts.contentType ?? 'application/json';
    headers['Content-Length'] = String(Buffer.byteLength(body));
  }
  const transport = url.protocol === 'https:' ? https : http;
  const ca = cluster.caFile ? readFileSync(cluster.caFile) : undefined;
  return new Promise((resolve, reject) => {
    const req = transport.request(url, { method, headers, ca }, res => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        let parsed: unknown;
        try {
          parsed = JSON.parse(text);
        } catch {
          parsed = undefined;
        }
        resolve({ status: res.statusCode ?? 0, headers: res.headers, text, body: parsed });
      });
    });
    req.on('error', reject);
    if (body !== undefined) req.write(body);
    req.end();
  });
}
