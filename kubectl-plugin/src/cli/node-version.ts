/**
 * The oldest Node the npm package runs on. The Kubernetes client's HTTP stack (undici)
 * reads `zlib.createZstdDecompress` when it loads, which Node has from 22.15; on an older
 * Node the first command that talks to a cluster would die with a bare TypeError.
 */
const MINIMUM_NODE = [22, 15] as const;

/** Why this Node cannot run kubectl-backup, or undefined when it can. */
export function unsupportedNode(version: string): string | undefined {
  const [major = 0, minor = 0] = version.replace(/^v/, '').split('.').map(Number);
  const [needMajor, needMinor] = MINIMUM_NODE;
  if (major > needMajor || (major === needMajor && minor >= needMinor)) return undefined;
  return `kubectl-backup needs Node ${needMajor}.${needMinor} or newer; this is Node ${version.replace(/^v/, '')} (install a newer Node, or use the single-executable release, which carries its own)`;
}
