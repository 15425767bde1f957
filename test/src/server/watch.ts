/**
 * Watch streams: newline-delimited `{"type":…,"object":…}` events over a chunked
 * response, starting with ADDED events for the current objects, or, when the client names
 * a resourceVersion to start after, with the events written since it; ending after
 * timeoutSeconds or when the server stops.
 */
import type { ServerResponse } from 'node:http';
import type { ApiServer } from './api';
import type { KubeObject } from './json';
import { keyOf } from './registry';
import type { StoreEvent } from './store';
import type { ResourceType } from './resources';
import { fieldPredicate, labelPredicate, type Predicate } from './selectors';
import { objectJson } from './serialize';
import { tooOldResourceVersion } from './status';
import { toTable } from './table';

export interface WatchRequest {
  type: ResourceType;
  namespace?: string;
  labelSelector?: string;
  fieldSelector?: string;
  resourceVersion?: string;
  timeoutSeconds?: number;
  /** Watch-list: initial ADDED events end with a BOOKMARK marked initial-events-end. */
  sendInitialEvents?: boolean;
  table: boolean;
}

export class Watches {
  private readonly open = new Set<() => void>();

  constructor(private readonly api: ApiServer) {}

  serve(req: WatchRequest, res: ServerResponse): void {
    const typeKey = keyOf(req.type);
    const predicates: Predicate[] = [];
    const byLabel = req.labelSelector ? labelPredicate(req.labelSelector) : undefined;
    if (byLabel) predicates.push(byLabel);
    const byField = req.fieldSelector ? fieldPredicate(req.fieldSelector, typeKey) : undefined;
    if (byField) predicates.push(byField);
    const ns = req.type.namespaced ? req.namespace : undefined;
    const matches = (obj: KubeObject) =>
      (ns === undefined || obj.metadata.namespace === ns) && predicates.every(p => p(obj));

    res.writeHead(200, { 'Content-Type': 'application/json', 'Transfer-Encoding': 'chunked' });
    // Clients treat a watch as open once its headers arrive, before any event.
    res.flushHeaders();
    const send = (type: string, obj: KubeObject) => {
      const shown = this.api.present(req.type, obj);
      const object = req.table
        ? JSON.stringify(
            toTable(req.type, typeKey, [shown], { resourceVersion: obj.metadata.resourceVersion }),
          )
        : objectJson(shown);
      res.write(`{"type":"${type}","object":${object}}\n`);
    };
    if (req.sendInitialEvents || !req.resourceVersion || req.resourceVersion === '0') {
      for (const obj of this.api.store.iterate(typeKey, ns)) if (matches(obj)) send('ADDED', obj);
    }
    if (req.sendInitialEvents) {
      const bookmark = {
        kind: req.type.kind,
        apiVersion: req.type.group ? `${req.type.group}/${req.type.version}` : req.type.version,
        metadata: {
          resourceVersion: this.api.store.resourceVersion,
          annotations: { 'k8s.io/initial-events-end': 'true' },
        },
      };
      res.write(`{"type":"BOOKMARK","object":${JSON.stringify(bookmark)}}\n`);
    }
    const relevant = (event: StoreEvent) => event.typeKey === typeKey && matches(event.object);
    if (!req.sendInitialEvents && req.resourceVersion && req.resourceVersion !== '0') {
      // Events after the version the client last saw (between its list and this watch) are
      // replayed first, so a change in that gap is not lost; too old a version is 410 Gone.
      const missed = this.api.store.eventsSince(Number(req.resourceVersion));
      if (!missed) {
        res.end(
          `{"type":"ERROR","object":${JSON.stringify(tooOldResourceVersion(req.resourceVersion).toStatus())}}\n`,
        );
        return;
      }
      for (const event of missed) if (relevant(event)) send(event.type, event.object);
    }
    const unsubscribe = this.api.store.subscribe(event => {
      if (relevant(event)) send(event.type, event.object);
    });
    let timer: NodeJS.Timeout | undefined;
    const close = () => {
      if (timer) clearTimeout(timer);
      unsubscribe();
      this.open.delete(close);
      if (!res.writableEnded) res.end();
    };
    this.open.add(close);
    if (req.timeoutSeconds && req.timeoutSeconds > 0)
      timer = setTimeout(close, req.timeoutSeconds * 1000);
    res.on('close', close);
  }

  closeAll(): void {
    for (const close of [...this.open]) close();
  }
}
