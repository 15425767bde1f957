import type { Argv } from 'yargs';

export type OutputFormat = 'table' | 'json' | 'yaml';

export interface GlobalOptions {
  kubeconfig?: string;
  context?: string;
  namespace?: string;
  output: OutputFormat;
  repository?: string;
  'password-file'?: string;
  config?: string;
  v?: number;
}

/** The arguments a command's handler gets: what its options builder declares. */
export type ArgumentsOf<Builder extends (yargs: Argv<GlobalOptions>) => Argv<unknown>> =
  ReturnType<Builder> extends Argv<infer Arguments> ? Arguments : never;

/** The options every command shares, named as kubectl names them. */
export function withGlobalOptions<T>(yargs: Argv<T>): Argv<T & GlobalOptions> {
  return yargs
    .option('kubeconfig', {
      type: 'string',
      describe: 'Path to the kubeconfig file (default: $KUBECONFIG, ~/.kube/config)',
      global: true,
    })
    .option('context', { type: 'string', describe: 'The kubeconfig context to use', global: true })
    .option('namespace', {
      alias: 'n',
      type: 'string',
      describe: "Namespace (default: the context's namespace)",
      global: true,
    })
    .option('output', {
      alias: 'o',
      choices: ['table', 'json', 'yaml'] as const,
      default: 'table' as OutputFormat,
      describe: 'Output format',
      global: true,
    })
    .option('repository', {
      alias: 'r',
      type: 'string',
      describe:
        'Snapshot repository: file:///path or s3://bucket/prefix?endpoint=…&region=… (default: $KUBE_BACKUP_REPOSITORY, the config file, or ~/.kube-backup/repository)',
      global: true,
    })
    .option('password-file', {
      type: 'string',
      describe:
        'File holding the repository password (default: $KUBE_BACKUP_PASSWORD, $KUBE_BACKUP_PASSWORD_FILE)',
      global: true,
    })
    .option('config', {
      type: 'string',
      describe:
        'kube-backup config file (default: $KUBE_BACKUP_CONFIG or ~/.kube-backup/config.yaml)',
      global: true,
    })
    .option('v', {
      type: 'number',
      requiresArg: true,
      describe:
        'Log level, as kubectl takes it: --v=1 or more also prints where an unexpected error came from (or set KUBE_BACKUP_DEBUG=1)',
      global: true,
    });
}

/** `a,b` and repeated flags both become one list. */
export function listOption(value: unknown): string[] {
  const values = Array.isArray(value) ? value : value === undefined ? [] : [value];
  return values
    .flatMap(item => String(item).split(','))
    .map(item => item.trim())
    .filter(item => item.length > 0);
}
