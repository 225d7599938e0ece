import { appendFileSync, mkdtempSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { decodeSpool, derivedId, DirectPutSpool } from '../../local/firehose-spool';
import { CheckpointStore } from '../../local/shards';

/** The DirectPut spool on its own: what a restart finds, a torn last entry, giving room back. */

const text = (records: readonly { data: Uint8Array }[]) => records.map((r) => Buffer.from(r.data).toString());

function place() {
  const dir = mkdtempSync(path.join(tmpdir(), 'spool-'));
  const file = path.join(dir, 'stream.spool');
  const open = (compactBytes?: number) =>
    new DirectPutSpool(file, new CheckpointStore(path.join(dir, 'stream.json')), compactBytes);
  return { file, open };
}

const put = (spool: DirectPutSpool, ...values: string[]) =>
  spool.append(values.map((v, i) => ({ data: Buffer.from(v), arrival: 1_000 + i })));

it('finds the undelivered records again, numbered on from where it was, with their arrival times', async () => {
  const { open } = place();
  const first = open();
  expect(await put(first, 'a', 'b', 'c')).toMatchObject([{ seq: 1 }, { seq: 2 }, { seq: 3, arrival: 1_002 }]);
  first.intend({ first: 1, last: 2, at: 5_000 });
  await first.delivered(2);
  await first.close();
  await expect(put(first, 'late')).rejects.toThrow(/stopping/);

  const second = open();
  expect(second.recovered).toMatchObject([{ seq: 3, arrival: 1_002 }]);
  expect(text(second.recovered)).toEqual(['c']);
  expect(second.intent).toBeUndefined();
  expect(second.epoch).toBe(first.epoch);
  expect(await put(second, 'd')).toMatchObject([{ seq: 4 }]);
  await second.close();
});

it('keeps the object being written across a restart, and numbers on after an emptied file', async () => {
  const { file, open } = place();
  const first = open();
  await put(first, 'a', 'b');
  first.intend({ first: 1, last: 2, at: 5_000 });
  await first.close();
  const second = open();
  expect(second.intent).toEqual({ first: 1, last: 2, at: 5_000 });
  await second.delivered(2);
  expect(statSync(file).size).toBe(0);
  expect(await put(second, 'c')).toMatchObject([{ seq: 3 }]);
  await second.close();
});

it('cuts off a torn last entry: a write the crash interrupted, never acknowledged', async () => {
  const { file, open } = place();
  const first = open();
  await put(first, 'whole', 'also whole');
  await first.close();
  const size = statSync(file).size;
  // The next entry's header (10 bytes of data, number 3) and 2 of its 10 bytes.
  const torn = Buffer.alloc(22);
  torn.writeUInt32BE(10, 0);
  torn.writeDoubleBE(1_002, 4);
  torn.writeDoubleBE(3, 12);
  appendFileSync(file, torn);
  const second = open();
  expect(text(second.recovered)).toEqual(['whole', 'also whole']);
  expect(statSync(file).size).toBe(size);
  expect(await put(second, 'next')).toMatchObject([{ seq: 3 }]);
  await second.close();
  expect(text(decodeSpool(readFileSync(file)).records)).toEqual(['whole', 'also whole', 'next']);
});

it('rewrites the file without its delivered entries once they take enough room', async () => {
  const { file, open } = place();
  const spool = open(100);
  await put(spool, 'x'.repeat(60), 'y'.repeat(60), 'z');
  await spool.delivered(1);
  expect(statSync(file).size).toBe(3 * 20 + 60 + 60 + 1); // 60 bytes delivered: not yet
  await spool.delivered(2);
  expect(text(decodeSpool(readFileSync(file)).records)).toEqual(['z']);
  await put(spool, 'after');
  await spool.close();
  expect(text(open().recovered)).toEqual(['z', 'after']);
});

it('names objects by what they hold: the same records, the same name', () => {
  expect(derivedId('arn', 'epoch', 1, 10, 'delivered')).toMatch(
    /^[0-9a-f]{8}(-[0-9a-f]{4}){3}-[0-9a-f]{12}$/,
  );
  expect(derivedId('arn', 'epoch', 1, 10, 'delivered')).toBe(derivedId('arn', 'epoch', 1, 10, 'delivered'));
  expect(derivedId('arn', 'epoch', 1, 10, 'delivered')).not.toBe(
    derivedId('arn', 'epoch', 1, 11, 'delivered'),
  );
});
