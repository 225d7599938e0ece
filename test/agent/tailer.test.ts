import {
  appendFileSync,
  copyFileSync,
  mkdtempSync,
  renameSync,
  rmSync,
  truncateSync,
  utimesSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { Tailer, type SavedSource, type TailEvent } from '../../agent/tailer';
import type { InitialPosition } from '../../agent/config';
import { fakeClock } from '../support/fake-clock';

const text = (from: number, to: number, prefix = 'line') =>
  Array.from({ length: to - from }, (_, i) => `${prefix} ${from + i}\n`).join('');

function setup(initialPosition: InitialPosition = 'START_OF_FILE', maxLineBytes = 1000) {
  const dir = mkdtempSync(path.join(tmpdir(), 'tailer-'));
  const file = (name = 'access_log') => path.join(dir, name);
  const events: TailEvent[] = [];
  const clock = fakeClock();
  const make = () =>
    new Tailer({
      directory: dir,
      fileGlob: 'access_log*',
      initialPosition,
      maxLineBytes,
      now: clock.now,
      onEvent: (e) => events.push(e),
    });
  /** Scans, reads everything and commits it as a sender would: the lines read, as text. */
  const drain = (tailer: Tailer): string[] => {
    tailer.scan();
    const lines = tailer.read(10_000, 1e9);
    for (const line of lines) line.source.committed = line.end;
    return lines.filter((l) => l.data).map((l) => l.data!.toString());
  };
  return { dir, file, events, clock, make, drain };
}

const numbers = (from: number, to: number) => Array.from({ length: to - from }, (_, i) => `line ${from + i}`);

describe('tailer', () => {
  it('reads complete lines only, and the rest of a line once it is written', () => {
    const { file, make, drain } = setup();
    writeFileSync(file(), 'line 0\nline 1\nhalf');
    const tailer = make();
    tailer.start(undefined);
    expect(drain(tailer)).toEqual(['line 0', 'line 1']);
    appendFileSync(file(), ' a line\n');
    expect(drain(tailer)).toEqual(['half a line']);
    expect(drain(tailer)).toEqual([]);
    tailer.close();
  });

  it('starts at the end of existing files with END_OF_FILE (after the last complete line)', () => {
    const { file, make, drain } = setup('END_OF_FILE');
    writeFileSync(file(), `${text(0, 5)}partial`);
    const tailer = make();
    tailer.start(undefined);
    expect(drain(tailer)).toEqual([]);
    appendFileSync(file(), ` line\n${text(5, 7)}`);
    expect(drain(tailer)).toEqual(['partial line', 'line 5', 'line 6']);
    tailer.close();
  });

  it('follows rename rotation: the rest of the old file first, then the new one from its start', () => {
    const { file, make, drain, events } = setup();
    writeFileSync(file(), text(0, 3));
    const tailer = make();
    tailer.start(undefined);
    expect(drain(tailer)).toEqual(numbers(0, 3));
    appendFileSync(file(), text(3, 5)); // written just before rotation, not read yet
    renameSync(file(), file('access_log.1'));
    writeFileSync(file(), text(5, 8));
    utimesSync(file('access_log.1'), new Date(1000), new Date(1000));
    expect(drain(tailer)).toEqual(numbers(3, 8));
    expect(events).toContainEqual({ kind: 'rename', from: file(), to: file('access_log.1') });
    tailer.close();
  });

  it('follows copytruncate seen at once: reads the unread tail from the copy, the emptied file from 0', () => {
    const { file, make, drain, events } = setup();
    writeFileSync(file(), text(0, 3));
    const tailer = make();
    tailer.start(undefined);
    expect(drain(tailer)).toEqual(numbers(0, 3));
    appendFileSync(file(), text(3, 5));
    copyFileSync(file(), file('access_log.1'));
    truncateSync(file(), 0);
    appendFileSync(file(), text(5, 7, 'new'));
    const lines = drain(tailer);
    expect(lines.sort()).toEqual([...numbers(3, 5), 'new 5', 'new 6'].sort());
    expect(events.map((e) => e.kind)).toEqual(expect.arrayContaining(['truncate', 'copy']));
    expect(events).not.toContainEqual(expect.objectContaining({ kind: 'lost' }));
    expect(drain(tailer)).toEqual([]);
    tailer.close();
  });

  it('follows copytruncate seen in two steps: the copy adds nothing already read', () => {
    const { file, make, drain } = setup();
    writeFileSync(file(), text(0, 3));
    const tailer = make();
    tailer.start(undefined);
    drain(tailer);
    copyFileSync(file(), file('access_log.1')); // logrotate copies...
    appendFileSync(file(), text(3, 4)); // ...a line arrives in the original...
    expect(drain(tailer)).toEqual(['line 3']);
    truncateSync(file(), 0); // ...and the original is emptied
    appendFileSync(file(), text(4, 6));
    expect(drain(tailer)).toEqual(numbers(4, 6));
    tailer.close();
  });

  it('recognises a copy by its head even when the first line is longer than the head', () => {
    const { file, make, drain } = setup('START_OF_FILE', 10_000);
    const long = `${'x'.repeat(3000)}\n`;
    writeFileSync(file(), long);
    const tailer = make();
    tailer.start(undefined);
    expect(drain(tailer)).toHaveLength(1);
    appendFileSync(file(), text(0, 2));
    copyFileSync(file(), file('access_log.1'));
    truncateSync(file(), 0);
    expect(drain(tailer)).toEqual(numbers(0, 2));
    tailer.close();
  });

  it('notices a truncation even when the file has grown past its old size since', () => {
    const { file, make, drain } = setup();
    writeFileSync(file(), text(0, 2));
    const tailer = make();
    tailer.start(undefined);
    drain(tailer);
    writeFileSync(file(), text(10, 20, 'fresh')); // emptied and rewritten, longer than before
    expect(drain(tailer)).toEqual(Array.from({ length: 10 }, (_, i) => `fresh ${10 + i}`));
    tailer.close();
  });

  it('reports lines lost when a file is emptied before they were read and no copy exists', () => {
    const { file, make, drain, events } = setup();
    writeFileSync(file(), text(0, 2));
    const tailer = make();
    tailer.start(undefined);
    drain(tailer);
    appendFileSync(file(), 'line 2\n');
    tailer.scan(); // seen, but not read (the sender was busy)
    truncateSync(file(), 0);
    expect(drain(tailer)).toEqual([]);
    expect(events).toContainEqual({ kind: 'lost', path: file(), bytes: 7 });
    tailer.close();
  });

  it('reads a deleted file to its end, its last unterminated line included, then lets it go', () => {
    const { file, make, drain, events } = setup();
    writeFileSync(file(), text(0, 2));
    const tailer = make();
    tailer.start(undefined);
    drain(tailer);
    appendFileSync(file(), 'line 2\nlast words');
    rmSync(file());
    expect(drain(tailer)).toEqual(['line 2', 'last words']);
    expect(events).toContainEqual({ kind: 'gone', path: file(), unread: 17 });
    tailer.scan();
    expect(tailer.backlog()).toEqual({ bytes: 0, files: 0 });
    tailer.close();
  });

  it('cuts a line longer than a record can hold and skips the rest of it', () => {
    const { file, make, drain } = setup('START_OF_FILE', 100);
    writeFileSync(file(), `short\n${'x'.repeat(250)}\nafter\n${'y'.repeat(300 * 1024)}\nend\n`);
    const tailer = make();
    tailer.start(undefined);
    tailer.scan();
    const lines = tailer.read(100, 1e9);
    expect(lines.filter((l) => l.data).map((l) => [l.data!.length, l.truncated ?? false])).toEqual([
      [5, false],
      [100, true],
      [5, false],
      [100, true],
      [3, false],
    ]);
    const afterLong = lines.find((l) => l.data?.toString() === 'after')!;
    expect(afterLong.end).toBe(6 + 251 + 6);
    expect(lines.at(-1)!.end).toBe(6 + 251 + 6 + 300 * 1024 + 1 + 4);
    expect(drain(tailer)).toEqual([]);
    tailer.close();
  });

  it('stops at the number of lines asked for and carries on from there', () => {
    const { file, make } = setup();
    writeFileSync(file(), text(0, 10));
    const tailer = make();
    tailer.start(undefined);
    tailer.scan();
    expect(tailer.read(4, 1e9).map((l) => l.data!.toString())).toEqual(numbers(0, 4));
    expect(tailer.read(100, 1e9).map((l) => l.data!.toString())).toEqual(numbers(4, 10));
    tailer.close();
  });

  it('leaves compressed rotations and non-matching files alone', () => {
    const { file, make, drain } = setup();
    writeFileSync(file(), text(0, 1));
    writeFileSync(file('access_log.2.gz'), 'binary');
    writeFileSync(file('error_log'), 'not ours\n');
    const tailer = make();
    tailer.start(undefined);
    expect(drain(tailer)).toEqual(['line 0']);
    tailer.close();
  });

  describe('restart from a snapshot', () => {
    function firstRun(lines: number, committed: number) {
      const t = setup();
      writeFileSync(t.file(), text(0, lines));
      const tailer = t.make();
      tailer.start(undefined);
      tailer.scan();
      const read = tailer.read(10_000, 1e9);
      for (const line of read.slice(0, committed)) line.source.committed = line.end;
      const saved: SavedSource[] = JSON.parse(JSON.stringify(tailer.snapshot()));
      tailer.close();
      return { ...t, saved };
    }

    it('resumes after the last committed line, not the last read one', () => {
      const { make, drain, saved } = firstRun(10, 6);
      const tailer = make();
      tailer.start(saved);
      expect(drain(tailer)).toEqual(numbers(6, 10));
      tailer.close();
    });

    it('finds its place in a file renamed while it was stopped, and reads the new file whole', () => {
      const { file, make, drain, saved } = firstRun(4, 4);
      appendFileSync(file(), text(4, 6));
      renameSync(file(), file('access_log.1'));
      writeFileSync(file(), text(0, 2, 'next'));
      utimesSync(file('access_log.1'), new Date(1000), new Date(1000));
      const tailer = make();
      tailer.start(saved);
      expect(drain(tailer)).toEqual([...numbers(4, 6), 'next 0', 'next 1']);
      tailer.close();
    });

    it('after a copytruncate while stopped, reads the copy from the checkpoint and the emptied file whole', () => {
      const { file, make, drain, saved } = firstRun(4, 4);
      appendFileSync(file(), text(4, 6));
      copyFileSync(file(), file('access_log.1'));
      writeFileSync(file(), text(0, 2, 'next'));
      const tailer = make();
      tailer.start(saved);
      expect(drain(tailer).sort()).toEqual([...numbers(4, 6), 'next 0', 'next 1'].sort());
      tailer.close();
    });

    it('starts new files from their beginning even with END_OF_FILE, as they appeared while it was stopped', () => {
      const t = setup('END_OF_FILE');
      writeFileSync(t.file(), text(0, 3));
      const first = t.make();
      first.start(undefined);
      const saved = first.snapshot();
      first.close();
      expect(saved[0].offset).toBe(text(0, 3).length);
      writeFileSync(t.file('access_log.new'), text(0, 2, 'new'));
      const tailer = t.make();
      tailer.start(saved);
      expect(t.drain(tailer)).toEqual(['new 0', 'new 1']);
      tailer.close();
    });
  });
});
