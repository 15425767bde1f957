import { createWriteStream } from 'node:fs';
import { access, mkdir, rm } from 'node:fs/promises';
import { basename, resolve } from 'node:path';
import { PassThrough, Writable } from 'node:stream';
import { finished } from 'node:stream/promises';
import type { CommandModule, Argv } from 'yargs';
import type {
  ExistingFilePolicy,
  FileEntry,
  FilesRestoreReport,
  FileVersion,
  Repository,
  ResticReader,
  VolumeAtSnapshot,
} from '@kube-backup/core';
import { EXIT_PARTIAL, UsageError } from '../cli/fail';
import {
  filesOptions,
  filesSettings,
  LazyCluster,
  openFilesReader,
  type FilesArgs,
} from '../cli/files-session';
import type { ArgumentsOf, GlobalOptions } from '../cli/global-options';
import { formatBytes, printResult } from '../cli/output';
import { ProgressLine } from '../cli/progress';
import { openRepository } from '../cli/session';
import { snapshotPositional } from '../cli/shared-options';

const claimPositional = {
  type: 'string',
  demandOption: true,
  describe: 'The claim, as pvc/<name>',
} as const;

/** Runs a command's reading with a reader and a progress line, and ends both. */
async function withReader(
  argv: FilesArgs,
  repository: Repository,
  cluster: LazyCluster,
  work: (reader: ResticReader, progress: ProgressLine) => Promise<void>,
): Promise<void> {
  const reader = await openFilesReader(argv, repository, cluster);
  const progress = new ProgressLine();
  try {
    await work(reader, progress);
  } finally {
    progress.done();
    await reader.close();
  }
}

/**
 * What a command that reads a claim's data opens: the repository, the cluster (connected
 * only when needed) and the claim's captured data in the snapshot the arguments name.
 */
async function openClaimData(argv: FilesArgs & { snapshot: string; claim: string }): Promise<{
  repository: Repository;
  cluster: LazyCluster;
  volume: VolumeAtSnapshot;
}> {
  const core = await import('@kube-backup/core');
  const repository = await openRepository(argv);
  const cluster = new LazyCluster(argv);
  const claim = core.claimName(argv.claim);
  const snapshot = await repository.getSnapshot(argv.snapshot);
  const volume = core.volumeAt(snapshot, await cluster.namespace(), claim);
  return { repository, cluster, volume };
}

function lsOptions(yargs: Argv<GlobalOptions>) {
  return yargs
    .positional('snapshot', snapshotPositional)
    .positional('claim', claimPositional)
    .positional('path', { type: 'string', describe: 'A folder or file (default: the root)' })
    .option('recursive', {
      alias: 'R',
      type: 'boolean',
      default: false,
      describe: 'Everything below the folder',
    })
    .options(filesOptions);
}

type LsArgs = ArgumentsOf<typeof lsOptions>;

const lsCommand: CommandModule<GlobalOptions, LsArgs> = {
  command: 'ls <snapshot> <claim> [path]',
  describe: "List a folder of a claim's data as a snapshot holds it",
  builder: lsOptions,
  handler: async argv => {
    const core = await import('@kube-backup/core');
    const { repository, cluster, volume } = await openClaimData(argv);
    await withReader(argv, repository, cluster, async (reader, progress) => {
      const entries = await core.listFiles(reader, volume, argv.path ?? '/', {
        recursive: argv.recursive,
        onEntry: count => progress.update('listing', `${count} entries`),
      });
      progress.done();
      await printResult(argv.output, entries, () => ({
        columns: ['mode', 'owner', 'size', 'modified', 'path'],
        rows: entries.map(entryRow),
        empty: 'the folder is empty',
      }));
    });
  },
};

function entryRow(entry: FileEntry) {
  return {
    mode: entry.permissions,
    owner: `${entry.uid}:${entry.gid}`,
    size: entry.size ?? '-',
    modified: entry.mtime.replace(/\.\d+/, ''),
    path: entry.type === 'dir' ? `${entry.path}/` : entry.path,
  };
}

function getOptions(yargs: Argv<GlobalOptions>) {
  return yargs
    .positional('snapshot', snapshotPositional)
    .positional('claim', claimPositional)
    .positional('path', { type: 'string', demandOption: true, describe: 'A file or folder' })
    .option('to', {
      type: 'string',
      describe:
        'Where to write it: a path (a folder is written as a .tar when it ends in .tar), or - for standard output (a folder as tar); default its name here',
    })
    .options(filesOptions);
}

type GetArgs = ArgumentsOf<typeof getOptions>;

const getCommand: CommandModule<GlobalOptions, GetArgs> = {
  command: 'get <snapshot> <claim> <path>',
  describe: "Copy a file, or a folder (as a folder or a .tar), out of a claim's data in a snapshot",
  builder: getOptions,
  handler: async argv => {
    const core = await import('@kube-backup/core');
    const { repository, cluster, volume } = await openClaimData(argv);
    const path = core.volumePath(argv.path);
    const to = argv.to ?? (path === '/' ? volume.claim : basename(path));
    if (to !== '-' && (await exists(to))) {
      throw new UsageError(`${to} exists; choose another --to (nothing is overwritten)`);
    }
    await withReader(argv, repository, cluster, async (reader, progress) => {
      const counted = new PassThrough();
      let bytes = 0;
      let total: number | undefined;
      counted.on('data', (chunk: Buffer) => {
        bytes += chunk.length;
        progress.update(
          `copying ${path}`,
          total ? `${formatBytes(bytes)} of ${formatBytes(total)}` : formatBytes(bytes),
        );
      });
      let sink: Writable | undefined;
      let made: string | undefined;
      try {
        const entry = await core.copyOut(reader, volume, path, counted, async found => {
          total = found.size;
          if (to === '-') sink = process.stdout;
          else if (found.type === 'dir' && !to.endsWith('.tar')) {
            await mkdir(to, { recursive: true });
            made = to;
            const { x } = await import('tar');
            // restic names a folder's entries from the folder itself (docs/a…); the root's have no prefix.
            sink = x({
              cwd: to,
              preserveOwner: false,
              strip: path === '/' ? 0 : 1,
            }) as unknown as Writable;
          } else {
            made = to;
            sink = createWriteStream(to, { flags: 'wx' });
          }
          counted.pipe(sink, { end: sink !== process.stdout });
        });
        counted.end();
        if (sink && sink !== process.stdout) await finished(sink);
        progress.done();
        if (to !== '-') {
          process.stderr.write(
            `${path} → ${resolve(to)}${entry.type === 'dir' ? (to.endsWith('.tar') ? ' (tar)' : ' (folder)') : ''}, ${formatBytes(bytes)} from snapshot ${volume.snapshotId.slice(0, 8)}\n`,
          );
        }
      } catch (error) {
        // A partial copy is not left behind looking complete.
        if (made) await rm(made, { recursive: true, force: true });
        throw error;
      }
    });
  },
};

async function exists(path: string): Promise<boolean> {
  return access(path).then(
    () => true,
    () => false,
  );
}

function restoreOptions(yargs: Argv<GlobalOptions>) {
  return yargs
    .positional('snapshot', snapshotPositional)
    .positional('claim', claimPositional)
    .positional('paths', {
      type: 'string',
      array: true,
      demandOption: true,
      describe: 'Files or folders',
    })
    .option('into-claim', {
      type: 'string',
      describe: 'Write into this claim of the namespace instead (pvc/<name>)',
    })
    .option('target-path', {
      type: 'string',
      describe: 'Put the paths under this folder of the claim (default: where they were)',
    })
    .option('existing', {
      choices: ['skip', 'overwrite', 'rename'] as const,
      default: 'skip' as ExistingFilePolicy,
      describe:
        'A file that exists: keep it (skip), replace it (overwrite), or put the restored one beside it as <name>.restored-<snapshot> (rename)',
    })
    .options(filesOptions);
}

type RestoreArgs = ArgumentsOf<typeof restoreOptions>;

const restoreCommand: CommandModule<GlobalOptions, RestoreArgs> = {
  command: 'restore <snapshot> <claim> <paths..>',
  describe:
    'Put chosen files or folders of a snapshot back into a live claim (nothing else in it is touched)',
  builder: restoreOptions,
  handler: async argv => {
    const core = await import('@kube-backup/core');
    const repository = await openRepository(argv);
    const cluster = new LazyCluster(argv);
    const snapshot = await repository.getSnapshot(argv.snapshot);
    const namespace = await cluster.namespace();
    const progress = new ProgressLine();
    const report = await core
      .restoreFiles(await cluster.get(), repository, await filesSettings(argv), {
        snapshot,
        source: { namespace, claim: core.claimName(argv.claim) },
        paths: argv.paths,
        intoClaim: argv['into-claim'] ? core.claimName(argv['into-claim']) : undefined,
        targetPath: argv['target-path'],
        existing: argv.existing,
        onProgress: step =>
          progress.update(
            step === 'starting'
              ? 'starting a mover'
              : step === 'restoring'
                ? `restoring ${argv.paths.length} path(s)`
                : 'restored',
          ),
      })
      .finally(() => progress.done());
    await printRestore(argv, report);
    if (report.paths.some(path => path.outcome === 'failed')) process.exitCode = EXIT_PARTIAL;
  },
};

async function printRestore(argv: RestoreArgs, report: FilesRestoreReport): Promise<void> {
  await printResult(argv.output, report, () => ({
    columns: ['path', 'outcome', 'files', 'target', 'message'],
    rows: report.paths.map(path => ({
      path: path.path,
      outcome: path.outcome,
      files: [
        `${path.restored} restored`,
        path.overwritten ? `${path.overwritten} overwritten` : '',
        path.renamed ? `${path.renamed} renamed (${report.renameSuffix})` : '',
        path.skipped ? `${path.skipped} skipped` : '',
      ]
        .filter(Boolean)
        .join(', '),
      target: `${report.targetClaim}:${path.target}`,
      message: path.message ?? '',
    })),
    empty: 'nothing restored',
  }));
}

function historyOptions(yargs: Argv<GlobalOptions>) {
  return yargs
    .positional('claim', claimPositional)
    .positional('path', { type: 'string', demandOption: true, describe: 'A file or folder' })
    .options(filesOptions);
}

type HistoryArgs = ArgumentsOf<typeof historyOptions>;

const historyCommand: CommandModule<GlobalOptions, HistoryArgs> = {
  command: 'history <claim> <path>',
  describe: "The versions of a path across the snapshots of a claim's data, where it changed",
  builder: historyOptions,
  handler: async argv => {
    const core = await import('@kube-backup/core');
    const repository = await openRepository(argv);
    const cluster = new LazyCluster(argv);
    const namespace = await cluster.namespace();
    const claim = core.claimName(argv.claim);
    const snapshots = await repository.listSnapshots();
    await withReader(argv, repository, cluster, async (reader, progress) => {
      const versions = await core.fileHistory(
        reader,
        snapshots,
        namespace,
        claim,
        argv.path,
        (done, total) => progress.update('reading snapshots', `${done}/${total}`),
      );
      progress.done();
      await printResult(argv.output, versions, () => ({
        columns: ['since', 'until', 'snapshots', 'size', 'modified', 'mode', 'sha256'],
        rows: versions.map(versionRow),
        empty: 'no versions',
      }));
    });
  },
};

function versionRow(version: FileVersion) {
  const point = ({ snapshotId, time }: { snapshotId: string; time: string }) =>
    `${snapshotId.slice(0, 8)} ${time.replace(/\.\d+/, '')}`;
  return {
    since: point(version.since),
    until: point(version.until),
    snapshots: version.snapshots,
    size: version.present ? (version.entry?.size ?? '-') : 'absent',
    modified: version.entry?.mtime.replace(/\.\d+/, '') ?? '-',
    mode: version.entry?.permissions ?? '-',
    sha256: version.sha256 ?? '-',
  };
}

export const filesCommand: CommandModule<GlobalOptions, GlobalOptions> = {
  command: 'files <command>',
  describe: "Browse, copy out, restore and trace single files of a claim's captured data",
  builder: yargs =>
    yargs
      .command(lsCommand)
      .command(getCommand)
      .command(restoreCommand)
      .command(historyCommand)
      .demandCommand(1, 'name a files command: ls, get, restore or history'),
  handler: () => undefined,
};
