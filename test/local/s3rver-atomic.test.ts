import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { Readable } from 'node:stream';
import { makeS3rverWritesAtomic } from '../../local/s3rver-atomic';

// eslint-disable-next-line @typescript-eslint/no-require-imports
const Store = require('s3rver/lib/stores/filesystem') as new (dir: string) => {
  putObject(object: object): Promise<{ size: number; md5: string }>;
  getResourcePath(bucket: string, key: string, resource: string): string;
};

/** As in S3, a PUT replaces the whole object or changes nothing: never a torn or empty object. */
it('writes an object whole or not at all, and only answers once it is on disk', async () => {
  makeS3rverWritesAtomic();
  const dir = mkdtempSync(path.join(tmpdir(), 's3rver-'));
  mkdirSync(path.join(dir, 'lake'));
  const store = new Store(dir);
  const key = 'raw/2026/11/30/12/part.gz';
  const objectPath = store.getResourcePath('lake', key, 'object');

  const first = await store.putObject({ bucket: 'lake', key, content: Buffer.from('whole\n'), metadata: {} });
  expect(first.size).toBe(6);
  expect(readFileSync(objectPath, 'utf8')).toBe('whole\n');

  // A body that breaks off half-way (a crashed writer): the object keeps its old content.
  const torn = Readable.from(
    (async function* () {
      yield Buffer.from('half');
      throw new Error('connection lost');
    })(),
  );
  await expect(store.putObject({ bucket: 'lake', key, content: torn, metadata: {} })).rejects.toThrow(
    /connection lost/,
  );
  expect(readFileSync(objectPath, 'utf8')).toBe('whole\n');
  const leftovers = readdirSync(path.dirname(objectPath)).filter((f) => f.includes('partial'));
  expect(leftovers).toEqual([]);
  expect(existsSync(`${objectPath}.md5`)).toBe(true);
});
