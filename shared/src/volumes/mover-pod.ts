import type { KubeObject } from '../snapshot/types';

/** The project's data-mover image: restic and kubectl-backup. */
export const DEFAULT_MOVER_IMAGE = 'docker.io/kube-backup/mover:latest';
export const MOVER_CONTAINER = 'mover';
/** What a backup mover prints for a volume with nothing in it. */
export const EMPTY_VOLUME_LINE = '{"message_type":"empty-volume"}';
/** Where a mover mounts the claim it reads or fills. */
export const DATA_PATH = '/data';
const REPOSITORY_PATH = '/repository';

/**
 * How movers reach the volume-data repository: a folder on the nodes (the `file://`
 * repository's folder as the nodes mount it, through NFS or a hostPath), or S3.
 */
export type MoverRepository =
  { kind: 'node-path'; path: string } | { kind: 's3'; repository: string; options: string[] };

/** Keys of the credentials Secret a mover reads. */
export const CREDENTIAL_KEYS = [
  'RESTIC_PASSWORD',
  'AWS_ACCESS_KEY_ID',
  'AWS_SECRET_ACCESS_KEY',
  'AWS_SESSION_TOKEN',
] as const;

/**
 * Puts chosen paths of a snapshot back into a live claim. restic restores them (owner, mode
 * and times) into a staging folder on the same claim, so each is then moved into place by a
 * rename that keeps all of that; nothing else in the claim is written. A folder that exists
 * is merged file by file. Where a file exists, KB_EXISTING decides: skip (keep the live
 * one), overwrite, or rename (the restored copy goes beside it, named with KB_SUFFIX). The
 * paths come as KB_PATH_0… (never parsed by the shell); one JSON line per path says what
 * became of its files.
 */
const RESTORE_PATHS = `S=${DATA_PATH}/$KB_STAGING
T=${DATA_PATH}$KB_TARGET
mkdir "$S" || exit 1
trap 'rm -rf "$S"' EXIT
restic "$@" || exit 1
files() { find "$1" ! -type d | wc -l; }
place() {
  local c d n
  if [ ! -e "$2" ] && [ ! -L "$2" ]; then
    c=$(files "$1"); mv "$1" "$2" || return 1; restored=$((restored + c)); return 0
  fi
  if [ -d "$1" ] && [ ! -L "$1" ] && [ -d "$2" ] && [ ! -L "$2" ]; then
    for c in "$1"/* "$1"/.[!.]* "$1"/..?*; do
      if [ -e "$c" ] || [ -L "$c" ]; then place "$c" "$2/\${c##*/}" || return 1; fi
    done
    return 0
  fi
  c=$(files "$1")
  case "$KB_EXISTING" in
  overwrite) rm -rf "$2" && mv "$1" "$2" || return 1; overwritten=$((overwritten + c)) ;;
  rename)
    d="$2$KB_SUFFIX"; n=1
    while [ -e "$d" ] || [ -L "$d" ]; do n=$((n + 1)); d="$2$KB_SUFFIX-$n"; done
    mv "$1" "$d" || return 1; renamed=$((renamed + c)) ;;
  *) skipped=$((skipped + c)) ;;
  esac
}
i=0
while [ "$i" -lt "$KB_COUNT" ]; do
  eval "p=\\$KB_PATH_$i"
  restored=0 overwritten=0 renamed=0 skipped=0 ok=false
  if [ -e "$S$p" ] || [ -L "$S$p" ]; then
    mkdir -p "$(dirname "$T$p")" && place "$S$p" "$T$p" && ok=true
  fi
  echo '{"message_type":"path-restored","index":'$i',"ok":'$ok',"restored":'$restored',"overwritten":'$overwritten',"renamed":'$renamed',"skipped":'$skipped'}'
  i=$((i + 1))
done`;

/**
 * What movers run, in the image's busybox sh. restic's arguments come as "$@", so no value
 * is ever parsed by the shell. A backup stores the volume's root as `.`; restic refuses to
 * save an empty snapshot, so an empty volume is reported as such instead. A restore into a
 * claim being overwritten empties it first, so it ends up holding exactly the snapshot (or
 * nothing, for an empty one).
 */
const SCRIPTS = {
  init: `restic $KB_RESTIC_OPTIONS cat config >/dev/null 2>&1 && exit 0
exec restic "$@"`,
  backup: `cd ${DATA_PATH} || exit 1
[ -n "$(ls -A)" ] || { echo '${EMPTY_VOLUME_LINE}'; exit 0; }
exec restic "$@"`,
  restore: `if [ -n "$KB_CLEAR" ]; then rm -rf ${DATA_PATH}/* ${DATA_PATH}/.[!.]* ${DATA_PATH}/..?* || exit 1; fi
[ -z "$KB_EMPTY" ] || exit 0
exec restic "$@"`,
  /** Waits, for restic commands run in it through exec. */
  idle: `exec sleep 2147483647`,
  'restore-paths': RESTORE_PATHS,
};

export type MoverScript = keyof typeof SCRIPTS;

export interface MoverPodSpec {
  name: string;
  namespace: string;
  image: string;
  labels: Record<string, string>;
  /** The Secret holding CREDENTIAL_KEYS. */
  credentials: string;
  repository: MoverRepository;
  script: MoverScript;
  /** restic's arguments after the global ones. */
  args: string[];
  env?: Record<string, string>;
  claim?: { name: string; readOnly: boolean };
  /** Run on this node (a ReadWriteOnce claim's user's node). */
  nodeName?: string;
}

export function moverPod(spec: MoverPodSpec): KubeObject {
  const options = spec.repository.kind === 's3' ? spec.repository.options : [];
  const optionArgs = options.flatMap(option => ['-o', option]);
  const env = [
    {
      name: 'RESTIC_REPOSITORY',
      value: spec.repository.kind === 's3' ? spec.repository.repository : REPOSITORY_PATH,
    },
    ...CREDENTIAL_KEYS.map(key => ({
      name: key,
      valueFrom: {
        secretKeyRef: { name: spec.credentials, key, optional: key !== 'RESTIC_PASSWORD' },
      },
    })),
    { name: 'KB_RESTIC_OPTIONS', value: optionArgs.join(' ') },
    { name: 'RESTIC_PROGRESS_FPS', value: '2' },
    { name: 'RESTIC_CACHE_DIR', value: '/tmp/restic-cache' },
    { name: 'HOME', value: '/tmp' },
    ...Object.entries(spec.env ?? {}).map(([name, value]) => ({ name, value })),
  ];
  const volumes: Array<Record<string, unknown>> = [{ name: 'tmp', emptyDir: {} }];
  const mounts: Array<Record<string, unknown>> = [{ name: 'tmp', mountPath: '/tmp' }];
  if (spec.repository.kind === 'node-path') {
    volumes.push({
      name: 'repository',
      hostPath: { path: `${spec.repository.path}/volumes`, type: 'DirectoryOrCreate' },
    });
    mounts.push({ name: 'repository', mountPath: REPOSITORY_PATH });
  }
  if (spec.claim) {
    volumes.push({
      name: 'data',
      persistentVolumeClaim: { claimName: spec.claim.name, readOnly: spec.claim.readOnly },
    });
    mounts.push({ name: 'data', mountPath: DATA_PATH, readOnly: spec.claim.readOnly });
  }
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name: spec.name, namespace: spec.namespace, labels: spec.labels },
    spec: {
      restartPolicy: 'Never',
      automountServiceAccountToken: false,
      ...(spec.nodeName ? { nodeName: spec.nodeName } : {}),
      // Reading every file and restoring owners needs root, whatever the image's user.
      securityContext: { runAsUser: 0, runAsGroup: 0 },
      containers: [
        {
          name: MOVER_CONTAINER,
          image: spec.image,
          imagePullPolicy: 'IfNotPresent',
          command: [
            '/bin/sh',
            '-c',
            SCRIPTS[spec.script],
            'mover',
            '--json',
            ...optionArgs,
            ...spec.args,
          ],
          env,
          volumeMounts: mounts,
        },
      ],
      volumes,
    },
  };
}
