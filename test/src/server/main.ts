/**
 * kube-test-server: runs the test API server as a process.
 *
 *   kube-test-server [--port N] [--seed PATH]… [--kubeconfig OUT] [--http]
 *                    [--crd-establish-delay MS] [--version vX.Y.Z] [--node]
 *
 * --node runs pods (runc containers, volumes on disk, exec, logs, snapshots, Jobs).
 *
 * Prints the URL and the kubeconfig path, then serves until SIGINT or SIGTERM.
 */
import { copyFile } from 'node:fs/promises';
import { startTestCluster, type TestClusterOptions } from './index';

const USAGE =
  'usage: kube-test-server [--port N] [--seed PATH]... [--kubeconfig OUT] [--http] [--crd-establish-delay MS] [--version vX.Y.Z] [--node]';

interface Args {
  options: TestClusterOptions;
  kubeconfig?: string;
}

export function parseArgs(argv: string[]): Args {
  const options: TestClusterOptions = { seed: [] };
  let kubeconfig: string | undefined;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    const [flag, inline] = arg.includes('=')
      ? [arg.slice(0, arg.indexOf('=')), arg.slice(arg.indexOf('=') + 1)]
      : [arg, undefined];
    const value = (): string => {
      const v = inline ?? argv[++i];
      if (v === undefined) throw new Error(`${flag} needs a value\n${USAGE}`);
      return v;
    };
    switch (flag) {
      case '--port': {
        const port = Number(value());
        if (!Number.isInteger(port) || port < 0 || port > 65535)
          throw new Error(`invalid port\n${USAGE}`);
        options.port = port;
        break;
      }
      case '--seed':
        options.seed!.push(value());
        break;
      case '--kubeconfig':
        kubeconfig = value();
        break;
      case '--http':
        options.tls = false;
        break;
      case '--crd-establish-delay':
        options.crdEstablishDelayMs = Number(value());
        break;
      case '--version':
        options.version = value();
        break;
      case '--node':
        options.node = true;
        break;
      case '-h':
      case '--help':
        throw new Error(USAGE);
      default:
        throw new Error(`unknown argument ${arg}\n${USAGE}`);
    }
  }
  return { options, kubeconfig };
}

async function main(): Promise<void> {
  let args: Args;
  try {
    args = parseArgs(process.argv.slice(2));
  } catch (error) {
    console.error((error as Error).message);
    process.exit(2);
  }
  const cluster = await startTestCluster(args.options);
  let kubeconfigPath = cluster.kubeconfigPath;
  if (args.kubeconfig) {
    await copyFile(cluster.kubeconfigPath, args.kubeconfig);
    kubeconfigPath = args.kubeconfig;
  }
  console.log(`kube-test-server listening on ${cluster.url}`);
  console.log(`kubeconfig: ${kubeconfigPath}`);
  const shutdown = () => {
    void cluster.stop().then(() => process.exit(0));
  };
  process.once('SIGINT', shutdown);
  process.once('SIGTERM', shutdown);
}

if (require.main === module) {
  main().catch(error => {
    console.error(error instanceof Error ? error.message : error);
    process.exit(1);
  });
}
