/**
 * kinesalite turns every sequence number it writes or reads into a bignumber.js value and back
 * (a 2^185-sized integer as 56 decimal digits), and hashes every partition key into another:
 * at thousands of records a second that arithmetic is the busiest thing the local run does.
 * This replaces its `parseSequence`, `stringifySequence` and `partitionKeyToHashKey` (its
 * actions call them through the module, so every action sees the replacement) with ones that
 * give the same answers with native BigInt, and remembers the hash key of each partition key.
 * Anything the fast path does not recognise (a malformed sequence number a client sent) goes
 * to kinesalite's own function, so errors stay exactly kinesalite's.
 */

/** A parsed sequence number, as kinesalite's `parseSequence` returns it. */
export type SequenceParts = Record<string, unknown>;

export interface KinesaliteSequences {
  parseSequence(seq: unknown): SequenceParts;
  stringifySequence(parts: SequenceParts): string;
  partitionKeyToHashKey(partitionKey: string): unknown;
}

const POW_2_124 = 1n << 124n;
const POW_2_124_NEXT = (1n << 125n) * 16n;
const POW_2_185 = 1n << 185n;
const POW_2_185_NEXT = ((1n << 185n) * 3n) / 2n;
const DIGITS = /^\d+$/;
const HEX = /^[0-9a-f]+$/;

/** kinesalite's `parseSequence` for a sequence number in decimal digits, with BigInt. */
function parseDigits(seq: string): SequenceParts {
  let seqNum = BigInt(seq);
  if (seqNum < POW_2_124) seqNum += POW_2_124;
  const hex = seqNum.toString(16);
  const version =
    seqNum < POW_2_124_NEXT
      ? 0
      : seqNum > POW_2_185 && seqNum < POW_2_185_NEXT
        ? parseInt(hex.slice(hex.length - 1), 16)
        : null;
  if (version === 2) {
    const seqIxHex = hex.slice(11, 27);
    let shardIxHex = hex.slice(38, 46);
    if (parseInt(seqIxHex[0], 16) > 7) throw new Error('Sequence index too high');
    if (parseInt(shardIxHex[0], 16) > 7) shardIxHex = '-' + shardIxHex;
    const shardCreateSecs = parseInt(hex.slice(1, 10), 16);
    if (shardCreateSecs >= 16025175000) throw new Error('Date too large: ' + shardCreateSecs);
    return {
      shardCreateTime: shardCreateSecs * 1000,
      seqIx: BigInt('0x' + seqIxHex).toString(),
      byte1: hex.slice(27, 29),
      seqTime: parseInt(hex.slice(29, 38), 16) * 1000,
      shardIx: parseInt(shardIxHex, 16),
      version,
    };
  } else if (version === 1) {
    return {
      shardCreateTime: parseInt(hex.slice(1, 10), 16) * 1000,
      byte1: hex.slice(11, 13),
      seqTime: parseInt(hex.slice(13, 22), 16) * 1000,
      seqRand: hex.slice(22, 36),
      seqIx: parseInt(hex.slice(36, 38), 16),
      shardIx: parseInt(hex.slice(38, 46), 16),
      version,
    };
  } else if (version === 0) {
    const shardCreateSecs = parseInt(hex.slice(1, 10), 16);
    if (shardCreateSecs >= 16025175000) throw new Error('Date too large: ' + shardCreateSecs);
    return {
      shardCreateTime: shardCreateSecs * 1000,
      byte1: hex.slice(10, 12),
      seqRand: hex.slice(12, 28),
      shardIx: parseInt(hex.slice(28, 32), 16),
      version,
    };
  }
  throw new Error('Unknown version: ' + version);
}

const pad = (zeros: string, text: string, width: number) => (zeros + text).slice(-width);
const shardIxToHex = (shardIx: unknown) => pad('0000000', ((shardIx as number) || 0).toString(16), 8);
const seconds = (ms: unknown) => Math.floor((ms as number) / 1000).toString(16);

/** The hex digits of a sequence index given as a safe integer or decimal digits; undefined otherwise. */
function seqIxHex(seqIx: unknown): string | undefined {
  const value = seqIx || 0;
  if (typeof value === 'number')
    return Number.isSafeInteger(value) && value >= 0 ? value.toString(16) : undefined;
  return typeof value === 'string' && DIGITS.test(value) ? BigInt(value).toString(16) : undefined;
}

/** The hex digits kinesalite's `stringifySequence` reads as one number; undefined where it would use bignumber.js's own rules. */
function sequenceHex(obj: SequenceParts): string | undefined {
  const seqTime = (obj.seqTime || obj.shardCreateTime) as number;
  if (obj.version == null || obj.version == 2) {
    const ix = seqIxHex(obj.seqIx);
    if (ix === undefined) return undefined;
    return [
      '2',
      pad('00000000', seconds(obj.shardCreateTime), 9),
      ((obj.shardIx as number) || 0).toString(16).slice(-1),
      pad('0000000000000000', ix, 16),
      (obj.byte1 as string) || '00',
      pad('00000000', seconds(seqTime), 9),
      shardIxToHex(obj.shardIx),
      '2',
    ].join('');
  } else if (obj.version == 1) {
    return [
      '2',
      pad('00000000', seconds(obj.shardCreateTime), 9),
      ((obj.shardIx as number) || 0).toString(16).slice(-1),
      (obj.byte1 as string) || '00',
      pad('00000000', seconds(seqTime), 9),
      (obj.seqRand as string) || '00000000000000',
      pad('0', ((obj.seqIx as number) || 0).toString(16), 2),
      shardIxToHex(obj.shardIx),
      '1',
    ].join('');
  } else if (obj.version === 0) {
    return [
      '1',
      pad('00000000', seconds(obj.shardCreateTime), 9),
      (obj.byte1 as string) || '00',
      (obj.seqRand as string) || '0000000000000000',
      shardIxToHex(obj.shardIx).slice(-4),
    ].join('');
  }
  return undefined;
}

/** Partition keys remembered at most (a fleet's unicorns, many times over); then forgotten all at once. */
const HASH_KEYS_REMEMBERED = 100_000;

/** The same functions as `original`, answering from BigInt wherever the input is well formed. */
export function fastSequences(original: KinesaliteSequences): KinesaliteSequences {
  const hashKeys = new Map<string, unknown>();
  return {
    parseSequence: (seq) =>
      typeof seq === 'string' && DIGITS.test(seq) ? parseDigits(seq) : original.parseSequence(seq),
    stringifySequence(parts) {
      const hex = sequenceHex(parts);
      return hex !== undefined && HEX.test(hex)
        ? BigInt('0x' + hex).toString()
        : original.stringifySequence(parts);
    },
    partitionKeyToHashKey(partitionKey) {
      let hashKey = hashKeys.get(partitionKey);
      if (hashKey === undefined) {
        if (hashKeys.size >= HASH_KEYS_REMEMBERED) hashKeys.clear();
        // bignumber.js values are immutable: one per key serves every record with that key.
        hashKey = original.partitionKeyToHashKey(partitionKey);
        hashKeys.set(partitionKey, hashKey);
      }
      return hashKey;
    },
  };
}

let patched = false;

/** Puts the fast functions in kinesalite's `db` module (once), where its actions look them up. */
export function makeKinesaliteSequencesFast(): void {
  if (patched) return;
  patched = true;
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const db = require('kinesalite/db') as KinesaliteSequences;
  Object.assign(db, fastSequences({ ...pick(db) }));
}

function pick(db: KinesaliteSequences): KinesaliteSequences {
  return {
    parseSequence: db.parseSequence,
    stringifySequence: db.stringifySequence,
    partitionKeyToHashKey: db.partitionKeyToHashKey,
  };
}
