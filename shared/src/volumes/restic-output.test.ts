import { LineSplitter, parseResticLine } from './restic-output';

describe("restic's --json output", () => {
  it('reads backup progress and the summary', () => {
    expect(
      parseResticLine(
        '{"message_type":"status","percent_done":0.3,"total_files":40,"files_done":10,"total_bytes":200000000,"bytes_done":60000000,"current_files":["/f18"]}',
      ),
    ).toEqual({
      type: 'status',
      bytesDone: 60_000_000,
      totalBytes: 200_000_000,
      filesDone: 10,
      totalFiles: 40,
    });
    expect(
      parseResticLine(
        '{"message_type":"summary","files_new":2,"data_added":1037,"total_files_processed":2,"total_bytes_processed":6,"total_duration":0.3,"snapshot_id":"c43cd894"}',
      ),
    ).toEqual({ type: 'summary', snapshotId: 'c43cd894', bytes: 6, files: 2, addedBytes: 1037 });
  });

  it('reads restore progress as newer restic versions print it', () => {
    expect(
      parseResticLine(
        '{"message_type":"status","total_files":5,"files_restored":2,"total_bytes":100,"bytes_restored":40}',
      ),
    ).toEqual({ type: 'status', bytesDone: 40, totalBytes: 100, filesDone: 2, totalFiles: 5 });
  });

  it('reads a snapshot listing, errors about single files, and plain text', () => {
    expect(parseResticLine('[{"id":"5bb60e73ac31","tags":["a","b"],"paths":["/data"]}]')).toEqual({
      type: 'snapshots',
      snapshots: [{ id: '5bb60e73ac31', tags: ['a', 'b'] }],
    });
    expect(
      parseResticLine(
        '{"message_type":"error","error":{"Op":"open","Path":"/data/locked","Err":13},"during":"archival","item":"/data/locked"}',
      ),
    ).toEqual({ type: 'error', message: 'archival of /data/locked failed: open /data/locked' });
    expect(parseResticLine('Fatal: wrong password or no key found')).toEqual({
      type: 'text',
      line: 'Fatal: wrong password or no key found',
    });
    expect(parseResticLine('   ')).toBeUndefined();
    expect(
      parseResticLine(
        '{"message_type":"path-restored","index":1,"ok":true,"restored":2,"overwritten":0,"renamed":1,"skipped":3}',
      ),
    ).toEqual({
      type: 'path-restored',
      index: 1,
      ok: true,
      restored: 2,
      overwritten: 0,
      renamed: 1,
      skipped: 3,
    });
  });

  it('splits a stream into lines across chunk boundaries', () => {
    const lines: string[] = [];
    const splitter = new LineSplitter();
    splitter.push('{"a":', line => lines.push(line));
    splitter.push('1}\n{"b"', line => lines.push(line));
    splitter.push(':2}\npartial', line => lines.push(line));
    splitter.end(line => lines.push(line));
    expect(lines).toEqual(['{"a":1}', '{"b":2}', 'partial']);
  });
});
