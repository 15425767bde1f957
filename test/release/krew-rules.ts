// krew's rules for a plugin manifest (what `ValidatePlugin` in krew's index validation and
// its installer check), so the release's manifest is held to them without krew here.

export interface KrewPlatform {
  selector?: { matchLabels?: Record<string, string>; matchExpressions?: { key: string }[] };
  uri?: string;
  sha256?: string;
  bin?: string;
  files?: { from?: string; to?: string }[];
}

export interface KrewPlugin {
  apiVersion?: string;
  kind?: string;
  metadata?: { name?: string };
  spec?: { version?: string; shortDescription?: string; platforms?: KrewPlatform[] };
}

const WINDOWS_RESERVED = new Set([
  'CON',
  'PRN',
  'AUX',
  'NUL',
  ...Array.from({ length: 9 }, (_, i) => `COM${i + 1}`),
  ...Array.from({ length: 9 }, (_, i) => `LPT${i + 1}`),
]);
// krew parses versions as semver with a leading "v".
const SEMVER = /^v(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)(-[0-9A-Za-z.-]+)?(\+[0-9A-Za-z.-]+)?$/;

/** Every rule the manifest breaks, as krew words it; empty when krew would accept it. */
export function krewViolations(name: string, plugin: KrewPlugin): string[] {
  const problems: string[] = [];
  if (plugin.apiVersion !== 'krew.googlecontainertools.github.com/v1alpha2')
    problems.push(`apiVersion=${plugin.apiVersion} is not supported`);
  if (plugin.kind !== 'Plugin') problems.push(`kind=${plugin.kind}, but only Plugin is supported`);
  if (!/^[\w-]+$/.test(name) || WINDOWS_RESERVED.has(name.toUpperCase()))
    problems.push(`the plugin name ${name} is not allowed`);
  if (plugin.metadata?.name !== name)
    problems.push(`plugin should be named ${name}, not ${plugin.metadata?.name}`);
  const spec = plugin.spec ?? {};
  if (!spec.shortDescription) problems.push('should have a short description');
  else if (/[\r\n]/.test(spec.shortDescription))
    problems.push('should not have line breaks in short description');
  if (!spec.version) problems.push('should have a version specified');
  else if (!SEMVER.test(spec.version))
    problems.push(`failed to parse plugin version ${spec.version}`);
  if (!spec.platforms?.length) problems.push('should have a platform specified');
  for (const [i, platform] of (spec.platforms ?? []).entries()) {
    for (const problem of platformViolations(platform)) problems.push(`platform ${i}: ${problem}`);
  }
  return problems;
}

function platformViolations(platform: KrewPlatform): string[] {
  const problems: string[] = [];
  if (!platform.uri) problems.push('`uri` has to be set');
  if (!platform.sha256) problems.push('`sha256` sum has to be set');
  else if (!/^[a-f0-9]{64}$/.test(platform.sha256))
    problems.push(`\`sha256\` value ${platform.sha256} is not valid`);
  if (!platform.bin) problems.push('`bin` has to be set');
  if (platform.files !== undefined) {
    if (platform.files.length === 0) problems.push('`files` has to be unspecified or non-empty');
    for (const op of platform.files) {
      if (!op.from) problems.push('`from` field has to be set');
      else if (!op.to) problems.push('`to` field has to be set');
      // The installer refuses paths that leave the archive or the install directory.
      if (
        [op.from, op.to].some(
          path => path && (path.startsWith('/') || path.split('/').includes('..')),
        )
      )
        problems.push(`file operation ${op.from} -> ${op.to} leaves its directory`);
    }
  }
  const selector = platform.selector;
  if (!selector) problems.push('nil selector is not supported');
  else {
    if (!selector.matchLabels && !selector.matchExpressions?.length)
      problems.push('empty selector is not supported');
    const keys = [
      ...Object.keys(selector.matchLabels ?? {}),
      ...(selector.matchExpressions ?? []).map(expression => expression.key),
    ];
    for (const key of keys)
      if (key !== 'os' && key !== 'arch') problems.push(`key ${key} not supported`);
    if (selector.matchLabels && Object.keys(selector.matchLabels).length === 0)
      problems.push('`matchLabels` specified but empty');
    if (selector.matchExpressions && selector.matchExpressions.length === 0)
      problems.push('`matchExpressions` specified but empty');
  }
  return problems;
}
