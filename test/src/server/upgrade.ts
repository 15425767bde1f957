/**
 * Connection upgrades: `pods/exec` and `pods/attach` over WebSocket, authenticated and
 * authorized like any request (verb `create` on the subresource, as API servers since
 * 1.31 require) and handed to the node's kubelet. Without a node, or on any other path,
 * the upgrade is refused with the Status a client shows.
 */
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import type { ApiServer } from './api';
import type { Auth } from './auth';
import { ApiError, notFoundPath } from './status';

export interface UpgradeTarget {
  upgrade(
    req: IncomingMessage,
    socket: Duplex,
    head: Buffer,
    namespace: string,
    name: string,
    subresource: 'exec' | 'attach',
    query: URLSearchParams,
  ): void;
}

const PATH = /^\/api\/v1\/namespaces\/([^/]+)\/pods\/([^/]+)\/(exec|attach)\/?$/;

export function serveUpgrade(
  api: ApiServer,
  auth: Auth,
  node: () => UpgradeTarget | undefined,
  req: IncomingMessage,
  socket: Duplex,
  head: Buffer,
): void {
  socket.on('error', () => socket.destroy());
  try {
    const url = new URL(req.url ?? '/', 'http://server');
    const match = PATH.exec(url.pathname);
    const target = node();
    if (!match || !target) throw notFoundPath();
    const [, namespace, name, subresource] = match.map(decodeURIComponent);
    const identity = auth.authenticate(req.headers.authorization, url.pathname);
    if (!identity) throw notFoundPath();
    const type = api.registry.lookup('', 'v1', 'pods')!;
    const denied = auth.authorize(identity, 'create', type, namespace, name, subresource);
    if (denied) throw denied;
    target.upgrade(
      req,
      socket,
      head,
      namespace,
      name,
      subresource as 'exec' | 'attach',
      url.searchParams,
    );
  } catch (error) {
    rejectUpgrade(
      socket,
      error instanceof ApiError ? error : new ApiError(500, 'InternalError', String(error)),
    );
  }
}

/** Answers an upgrade that cannot go ahead with the Status a client shows. */
export function rejectUpgrade(socket: Duplex, error: ApiError): void {
  const body = JSON.stringify(error.toStatus());
  socket.end(
    `HTTP/1.1 ${error.code} ${error.reason || 'Error'}\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
  );
}
