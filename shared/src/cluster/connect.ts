import type * as https from 'node:https';
import type { KubeConfig } from '@kubernetes/client-node';
import { UserError } from '../errors';
import { KubeClient, type KubeClientOptions } from './kube-client';

export interface ConnectOptions extends KubeClientOptions {
  /** Path to a kubeconfig file; default is $KUBECONFIG, then ~/.kube/config. */
  kubeconfig?: string;
  context?: string;
}

export interface ClusterConnection {
  client: KubeClient;
  /** The kubeconfig context used (also the cluster's name in snapshots). */
  contextName: string;
  clusterName: string;
  server: string;
  /** The context's default namespace, or `default`. */
  namespace: string;
  /** The kubeconfig as the Kubernetes client library read it, for its streaming APIs (exec). */
  kubeConfig: KubeConfig;
}

/**
 * Resolves a kubeconfig the way kubectl does and builds a client from it. The Kubernetes
 * client library only supplies kubeconfig parsing and credentials; requests are ours.
 */
export async function connectToCluster(options: ConnectOptions = {}): Promise<ClusterConnection> {
  const { KubeConfig } = await import('@kubernetes/client-node');
  const config = new KubeConfig();
  try {
    if (options.kubeconfig) config.loadFromFile(options.kubeconfig);
    else config.loadFromDefault();
  } catch (error) {
    throw new UserError(
      'invalid-argument',
      `cannot read kubeconfig ${options.kubeconfig ?? process.env.KUBECONFIG ?? '~/.kube/config'}: ${(error as Error).message.split('\n')[0]}`,
    );
  }
  if (options.context) {
    if (!config.getContextObject(options.context)) {
      throw new UserError(
        'invalid-argument',
        `context "${options.context}" not found in kubeconfig`,
      );
    }
    config.setCurrentContext(options.context);
  }
  const contextName = config.getCurrentContext();
  const context = config.getContextObject(contextName);
  const cluster = config.getCurrentCluster();
  if (!context || !cluster) {
    throw new UserError('invalid-argument', 'no current context in kubeconfig', {
      input: 'context',
    });
  }
  const requestOptions: https.RequestOptions = {};
  await config.applyToHTTPSOptions(requestOptions);
  // The library's agent keeps no connections alive, so every request would pay a new TLS
  // handshake; KubeClient makes its own keep-alive agent unless a proxy needs the library's.
  if (!cluster.proxyUrl) delete requestOptions.agent;
  return {
    client: new KubeClient(cluster.server, requestOptions, options),
    contextName,
    clusterName: cluster.name,
    server: cluster.server,
    namespace: context.namespace ?? 'default',
    kubeConfig: config,
  };
}
