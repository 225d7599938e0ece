import { createHash, randomBytes } from 'node:crypto';
import { mkdir, open, rename, rm } from 'node:fs/promises';
import * as path from 'node:path';
import type { Readable } from 'node:stream';

/**
 * s3rver's file store writes an object in place and answers PutObject before the write is on
 * disk, so a crash can leave a torn or empty object under its key (a 0-byte `.gz` under `raw/`).
 * S3 never shows a partial object: a PUT either replaces the whole object or changes nothing.
 * This replaces the store's `putObject` with one that writes a hidden temporary file, flushes it
 * to disk, and renames it over the object only then, answering once it is there.
 */

interface S3Object {
  readonly bucket: string;
  readonly key: string;
  readonly content: Buffer | Readable;
  readonly metadata: Record<string, string>;
}

interface FilesystemStore {
  getResourcePath(bucket: string, key: string, resource: string): string;
  putMetadata(bucket: string, key: string, metadata: Record<string, string>, md5?: string): Promise<void>;
  putObject(object: S3Object): Promise<{ size: number; md5: string }>;
}

async function contentOf(content: Buffer | Readable): Promise<Buffer> {
  if (Buffer.isBuffer(content)) return content;
  const chunks: Buffer[] = [];
  for await (const chunk of content) chunks.push(Buffer.from(chunk as Buffer));
  return Buffer.concat(chunks);
}

let patched = false;

export function makeS3rverWritesAtomic(): void {
  if (patched) return;
  patched = true;
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const Store = require('s3rver/lib/stores/filesystem') as { prototype: FilesystemStore };
  Store.prototype.putObject = async function putObject(this: FilesystemStore, object: S3Object) {
    const objectPath = this.getResourcePath(object.bucket, object.key, 'object');
    await mkdir(path.dirname(objectPath), { recursive: true });
    const body = await contentOf(object.content);
    const md5 = createHash('md5').update(body).digest('hex');
    // Not named like an object, so a listing never shows it.
    const temp = `${objectPath}.${randomBytes(6).toString('hex')}.partial`;
    const file = await open(temp, 'w');
    try {
      await file.writeFile(body);
      await file.sync();
    } finally {
      await file.close();
    }
    // The old checksum must not outlive the old content; s3rver recomputes a missing one.
    await rm(`${objectPath}.md5`, { force: true });
    try {
      await rename(temp, objectPath);
    } catch (error) {
      await rm(temp, { force: true });
      throw error;
    }
    await this.putMetadata(object.bucket, object.key, object.metadata, md5);
    return { size: body.length, md5 };
  };
}
