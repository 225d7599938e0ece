/**
 * The soak's oracle, independent of the pipeline's own code: it reads back what the stream, the
 * data lake, the summary table and the failure queues hold through the public APIs at the
 * endpoint, recomputes every unicorn-window from the raw records (validity, windows by arrival
 * time and totals written out here), and counts per phase what was lost and what duplicated.
 */
import {
  GetRecordsCommand,
  GetShardIteratorCommand,
  ListShardsCommand,
  type _Record,
} from '@aws-sdk/client-kinesis';
import { GetObjectCommand, ListObjectsV2Command } from '@aws-sdk/client-s3';
import { ListQueuesCommand, ReceiveMessageCommand } from '@aws-sdk/client-sqs';
import { ScanCommand } from '@aws-sdk/client-dynamodb';
import { gunzipSync } from 'node:zlib';
import type { LocalClients } from '../../local/aws-access';

/** One stretch of the soak: what it put, under which fault. */
export interface SoakPhase {
  readonly label: string;
  /** Starts the name of every unicorn and malformed record of the phase (`P03`). */
  readonly tag: string;
  /** Records Kinesis acknowledged, malformed ones included. */
  put: number;
  /** The malformed records' data. */
  readonly malformedPut: string[];
}

/** The fault table's row for one phase. */
export interface SoakRow {
  readonly label: string;
  readonly tag: string;
  readonly put: number;
  readonly inStream: number;
  readonly inS3: number;
  /** The Records of the phase's summaries in DynamoDB, summed. */
  readonly aggregated: number;
  /** Malformed records of the phase in a failure queue with a reason. */
  readonly setAside: number;
  /** Put but missing from the stream, the data lake, the summaries or the failure queue. */
  readonly lost: number;
  /** Extra copies in the stream or the data lake, or records counted twice in the summaries. */
  readonly duplicated: number;
  /** Summaries that differ from the recomputation, or missing, or not expected at all. */
  readonly summariesWrong: number;
}

export interface SoakVerdict {
  readonly rows: SoakRow[];
  /** Everything that is not as it must be, one line each; empty when the run was exact. */
  readonly problems: string[];
  /** Seconds from the last record put until the data lake and the summaries held everything. */
  readonly settleSeconds: number;
}

export interface OracleContext {
  readonly clients: LocalClients;
  readonly stream: string;
  readonly bucket: string;
  readonly table: string;
  readonly windowSeconds: number;
  readonly settleTimeoutMs: number;
  /** How long to watch once settled, for a copy written late. */
  readonly quietMs: number;
  readonly log: (line: string) => void;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
/**
 * A record's data as text, without the line end a log agent ships with each line: the data
 * lake's lines are compared with it, and the data lake ends every record with one.
 */
const text = (data: Uint8Array | undefined) =>
  Buffer.from(data ?? new Uint8Array())
    .toString('utf8')
    .replace(/\n$/, '');
const tagOf = (data: string) => /"Name":"(P\d\d)/.exec(data)?.[1];

/** A request the endpoint may refuse for a moment (read limits): asked again until it answers. */
async function patiently<T>(call: () => Promise<T>): Promise<T> {
  for (let attempt = 0; ; attempt++) {
    try {
      return await call();
    } catch (error) {
      if (attempt >= 40) throw error;
      await sleep(250);
    }
  }
}

/** Every record of the stream, in shard order, from its beginning to its tip. */
async function readStream(ctx: OracleContext): Promise<_Record[]> {
  const { kinesis } = ctx.clients;
  const shards = await patiently(() => kinesis.send(new ListShardsCommand({ StreamName: ctx.stream })));
  const all: _Record[] = [];
  for (const shard of shards.Shards ?? []) {
    let iterator = (
      await patiently(() =>
        kinesis.send(
          new GetShardIteratorCommand({
            StreamName: ctx.stream,
            ShardId: shard.ShardId,
            ShardIteratorType: 'TRIM_HORIZON',
          }),
        ),
      )
    ).ShardIterator;
    while (iterator) {
      const current: string = iterator;
      const out = await patiently(() => kinesis.send(new GetRecordsCommand({ ShardIterator: current })));
      all.push(...(out.Records ?? []));
      if ((out.Records ?? []).length === 0 && (out.MillisBehindLatest ?? 0) === 0) break;
      iterator = out.NextShardIterator;
    }
  }
  return all;
}

/** A unicorn status as the workshop defines it, checked field by field. */
interface Status {
  Name: string;
  StatusTime: string;
  Distance: number;
  MagicPoints: number;
  HealthPoints: number;
}
function wellFormed(data: string): Status | undefined {
  let value: unknown;
  try {
    value = JSON.parse(data);
  } catch {
    return undefined;
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return undefined;
  const v = value as Record<string, unknown>;
  const num = (x: unknown) => typeof x === 'number' && Number.isFinite(x);
  const ok =
    typeof v.Name === 'string' &&
    v.Name.length > 0 &&
    typeof v.StatusTime === 'string' &&
    /^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{3}$/.test(v.StatusTime) &&
    num(v.Latitude) &&
    Math.abs(v.Latitude as number) <= 90 &&
    num(v.Longitude) &&
    Math.abs(v.Longitude as number) <= 180 &&
    num(v.Distance) &&
    (v.Distance as number) >= 0 &&
    Number.isInteger(v.MagicPoints) &&
    Number.isInteger(v.HealthPoints);
  return ok ? (v as unknown as Status) : undefined;
}

/** The start of a tumbling window as the summaries name it: `2026-11-30 15:40:12.000`. */
const windowName = (arrivalMs: number, windowSeconds: number) => {
  const size = windowSeconds * 1000;
  return new Date(Math.floor(arrivalMs / size) * size).toISOString().replace('T', ' ').slice(0, 23);
};

export interface Totals {
  Distance: number;
  MinMagicPoints: number;
  MaxMagicPoints: number;
  MinHealthPoints: number;
  MaxHealthPoints: number;
  Records: number;
}

/** The data lake's lines, read object by object (each read once while its ETag stays). */
class DataLake {
  private readonly objects = new Map<string, { etag: string; lines: string[] }>();
  readonly problems = new Set<string>();
  constructor(private readonly ctx: OracleContext) {}

  async lines(): Promise<string[]> {
    const { s3 } = this.ctx.clients;
    const seen = new Set<string>();
    let token: string | undefined;
    do {
      const page = await patiently(() =>
        s3.send(
          new ListObjectsV2Command({ Bucket: this.ctx.bucket, Prefix: 'raw/', ContinuationToken: token }),
        ),
      );
      for (const object of page.Contents ?? []) {
        const key = object.Key!;
        seen.add(key);
        if (this.objects.get(key)?.etag === object.ETag) continue;
        const got = await patiently(() =>
          s3.send(new GetObjectCommand({ Bucket: this.ctx.bucket, Key: key })),
        );
        const body = Buffer.from(await got.Body!.transformToByteArray());
        let lines: string[] = [];
        try {
          lines = gunzipSync(body).toString('utf8').split('\n').filter(Boolean);
        } catch {
          this.problems.add(`s3://${this.ctx.bucket}/${key} (${body.length} bytes) is not a gzip object`);
        }
        this.objects.set(key, { etag: object.ETag ?? '', lines });
      }
      token = page.NextContinuationToken;
    } while (token);
    for (const key of this.objects.keys()) if (!seen.has(key)) this.objects.delete(key);
    return [...this.objects.values()].flatMap((o) => o.lines);
  }
}

/** Every message of every queue, received once and kept (they stay invisible for an hour). */
class FailureQueues {
  readonly messages = new Map<string, unknown>();
  constructor(private readonly ctx: OracleContext) {}

  async read(): Promise<unknown[]> {
    const { sqs } = this.ctx.clients;
    const queues = await patiently(() => sqs.send(new ListQueuesCommand({})));
    for (const url of queues.QueueUrls ?? []) {
      for (;;) {
        const out = await patiently(() =>
          sqs.send(
            new ReceiveMessageCommand({ QueueUrl: url, MaxNumberOfMessages: 10, VisibilityTimeout: 3600 }),
          ),
        );
        if (!out.Messages?.length) break;
        for (const m of out.Messages) {
          let body: unknown;
          try {
            body = JSON.parse(m.Body ?? '');
          } catch {
            body = { unreadable: m.Body };
          }
          this.messages.set(m.MessageId!, { queue: url.split('/').pop(), ...(body as object) });
        }
      }
    }
    return [...this.messages.values()];
  }
}

async function scanTable(ctx: OracleContext): Promise<Record<string, { S?: string; N?: string }>[]> {
  const items: Record<string, { S?: string; N?: string }>[] = [];
  let start: Record<string, never> | undefined;
  do {
    const page = await patiently(() =>
      ctx.clients.dynamodb.send(
        new ScanCommand({ TableName: ctx.table, ConsistentRead: true, ExclusiveStartKey: start }),
      ),
    );
    items.push(...((page.Items ?? []) as never[]));
    start = page.LastEvaluatedKey as Record<string, never> | undefined;
  } while (start);
  return items;
}

const count = <K>(keys: Iterable<K>) => {
  const counts = new Map<K, number>();
  for (const k of keys) counts.set(k, (counts.get(k) ?? 0) + 1);
  return counts;
};

/** A summary as the table holds it, its numbers read. */
export interface StoredSummary extends Totals {
  readonly Name: string;
  readonly StatusTime: string;
}

/** What the oracle read back, once everything had settled. */
export interface SoakEvidence {
  /** The stream's records, in shard order: data as text, arrival time in epoch ms. */
  readonly records: readonly { readonly data: string; readonly arrival: number }[];
  /** The data lake's lines under `raw/`. */
  readonly lakeLines: readonly string[];
  readonly summaries: readonly StoredSummary[];
  /** Every failure queue's messages, parsed, each with its `queue`. */
  readonly messages: readonly unknown[];
}

const malformedNotices = (messages: readonly unknown[]) =>
  new Set(
    messages.flatMap((m) => {
      const n = m as { kind?: string; reason?: string; data?: string };
      return n.kind === 'malformed-record' && n.reason && n.data ? [text(Buffer.from(n.data, 'base64'))] : [];
    }),
  );

/** The evidence as the checks read it, indexed once. */
interface EvidenceIndex {
  /** Every record's data on the stream, in shard order. */
  readonly data: readonly string[];
  readonly statuses: readonly { readonly status: Status; readonly arrival: number }[];
  /** The stream's malformed records. */
  readonly malformed: ReadonlySet<string>;
  /** The records the failure queues hold a malformed-record notice with a reason for. */
  readonly setAside: ReadonlySet<string>;
  readonly streamCounts: ReadonlyMap<string, number>;
  readonly lakeCounts: ReadonlyMap<string, number>;
}

function indexEvidence(evidence: SoakEvidence): EvidenceIndex {
  const data = evidence.records.map((r) => r.data);
  const statuses = evidence.records.flatMap((r) => {
    const status = wellFormed(r.data);
    return status ? [{ status, arrival: r.arrival }] : [];
  });
  return {
    data,
    statuses,
    malformed: new Set(data.filter((d) => !wellFormed(d))),
    setAside: malformedNotices(evidence.messages),
    streamCounts: count(data),
    lakeCounts: count(evidence.lakeLines),
  };
}

/** Only malformed records of the stream, each with a reason, in the failure queues. */
function checkFailureQueues(messages: readonly unknown[], malformed: ReadonlySet<string>): string[] {
  const problems: string[] = [];
  for (const m of messages) {
    const n = m as { kind?: string; reason?: string; data?: string; queue?: string };
    if (n.kind === 'malformed-record') {
      if (!n.reason) problems.push(`a failure message in ${n.queue} without a reason`);
      else if (n.data && !malformed.has(text(Buffer.from(n.data, 'base64'))))
        problems.push(`a failure message in ${n.queue} for a record not malformed on the stream`);
    } else {
      // A batch given up on, or anything else: nothing of the soak should end up there.
      problems.push(`${n.queue}: ${JSON.stringify(m).slice(0, 300)}`);
    }
  }
  return problems;
}

/** The recomputation: per unicorn and window of arrival (`Name|window`), the totals written out. */
function recomputeSummaries(statuses: EvidenceIndex['statuses'], windowSeconds: number): Map<string, Totals> {
  const expected = new Map<string, Totals>();
  for (const { status: s, arrival } of statuses) {
    const key = `${s.Name}|${windowName(arrival, windowSeconds)}`;
    const t = expected.get(key);
    if (!t) {
      expected.set(key, {
        Distance: s.Distance,
        MinMagicPoints: s.MagicPoints,
        MaxMagicPoints: s.MagicPoints,
        MinHealthPoints: s.HealthPoints,
        MaxHealthPoints: s.HealthPoints,
        Records: 1,
      });
    } else {
      t.Distance += s.Distance;
      t.MinMagicPoints = Math.min(t.MinMagicPoints, s.MagicPoints);
      t.MaxMagicPoints = Math.max(t.MaxMagicPoints, s.MagicPoints);
      t.MinHealthPoints = Math.min(t.MinHealthPoints, s.HealthPoints);
      t.MaxHealthPoints = Math.max(t.MaxHealthPoints, s.HealthPoints);
      t.Records += 1;
    }
  }
  return expected;
}

/** The fields of a stored summary that differ from its recomputation (Distance within rounding). */
const differingFields = (item: StoredSummary, want: Totals) =>
  (Object.keys(want) as (keyof Totals)[]).filter((field) =>
    field === 'Distance'
      ? !(Math.abs(item.Distance - want.Distance) <= 1e-6 * Math.max(1, Math.abs(want.Distance)))
      : item[field] !== want[field],
  );

/** Every summary stored once, as recomputed, and every recomputed one stored: what is wrong, by key. */
function checkSummaries(
  summaries: readonly StoredSummary[],
  expected: ReadonlyMap<string, Totals>,
): { readonly key: string; readonly why: string }[] {
  const wrong: { key: string; why: string }[] = [];
  const stored = new Set<string>();
  for (const item of summaries) {
    const key = `${item.Name}|${item.StatusTime}`;
    if (stored.has(key)) wrong.push({ key, why: 'stored twice' });
    stored.add(key);
    const want = expected.get(key);
    if (!want) {
      wrong.push({ key, why: 'not expected from the stream' });
      continue;
    }
    const differences = differingFields(item, want);
    if (differences.length > 0)
      wrong.push({ key, why: differences.map((f) => `${f} ${item[f]} ≠ ${want[f]}`).join(', ') });
  }
  for (const key of expected.keys()) if (!stored.has(key)) wrong.push({ key, why: 'missing from the table' });
  return wrong;
}

/** The phase's row: what it put against what the stream, the data lake, the summaries and the queues hold. */
function phaseRow(
  phase: SoakPhase,
  evidence: SoakEvidence,
  index: EvidenceIndex,
  summariesWrong: ReadonlyMap<string, number>,
): SoakRow {
  const { lakeLines: lines, summaries } = evidence;
  const { streamCounts, lakeCounts } = index;
  const mine = (d: string) => tagOf(d) === phase.tag;
  const inStream = index.data.filter(mine);
  const distinct = new Set(inStream);
  const lakeLines = lines.filter(mine);
  let missingInS3 = 0;
  let extraInS3 = 0;
  for (const d of new Set([...distinct, ...lakeLines])) {
    const difference = (lakeCounts.get(d) ?? 0) - (streamCounts.get(d) ?? 0);
    if (difference > 0) extraInS3 += difference;
    else missingInS3 -= difference;
  }
  const well = index.statuses.filter((s) => tagOf(`"Name":"${s.status.Name}"`) === phase.tag).length;
  const aggregated = summaries
    .filter((i) => tagOf(`"Name":"${i.Name}"`) === phase.tag)
    .reduce((n, i) => n + i.Records, 0);
  const bad = [...distinct].filter((d) => index.malformed.has(d));
  const setAside = bad.filter((d) => index.setAside.has(d)).length;
  const lost =
    Math.max(0, phase.put - distinct.size) +
    missingInS3 +
    Math.max(0, well - aggregated) +
    (bad.length - setAside);
  const duplicated = inStream.length - distinct.size + extraInS3 + Math.max(0, aggregated - well);
  return {
    label: phase.label,
    tag: phase.tag,
    put: phase.put,
    inStream: inStream.length,
    inS3: lakeLines.length,
    aggregated,
    setAside,
    lost,
    duplicated,
    summariesWrong: summariesWrong.get(phase.tag) ?? 0,
  };
}

/** Every malformed record a phase put is on the stream. */
function checkMalformedOnStream(phases: readonly SoakPhase[], data: readonly string[]): string[] {
  return phases.flatMap((phase) => {
    const distinct = new Set(data.filter((d) => tagOf(d) === phase.tag));
    const missing = phase.malformedPut.filter((d) => !distinct.has(d.replace(/\n$/, ''))).length;
    return missing > 0 ? [`${phase.tag}: ${missing} malformed records put, not on the stream`] : [];
  });
}

/** Every record on the stream belongs to a phase. */
function checkStrays(data: readonly string[], phases: readonly SoakPhase[]): string[] {
  const strays = data.filter((d) => !phases.some((p) => tagOf(d) === p.tag)).length;
  return strays > 0 ? [`${strays} records on the stream belong to no phase`] : [];
}

/** No phase lost or duplicated anything. */
const checkLostAndDuplicated = (rows: readonly SoakRow[]) =>
  rows
    .filter((row) => row.lost > 0 || row.duplicated > 0)
    .map((row) => `${row.tag} (${row.label}): ${row.lost} lost, ${row.duplicated} duplicated`);

/**
 * The comparison itself: per phase, what was put against what the stream, the data lake, the
 * summaries and the failure queues hold; every summary against its recomputation from the
 * stream's well-formed records by unicorn and window of arrival.
 */
export function compareSoak(
  evidence: SoakEvidence,
  phases: readonly SoakPhase[],
  windowSeconds: number,
): { rows: SoakRow[]; problems: string[] } {
  const index = indexEvidence(evidence);
  const expected = recomputeSummaries(index.statuses, windowSeconds);
  const wrongSummaries = checkSummaries(evidence.summaries, expected);
  const wrongByPhase = count(wrongSummaries.map(({ key }) => /^(P\d\d)/.exec(key)?.[1] ?? '?'));
  const rows = phases.map((phase) => phaseRow(phase, evidence, index, wrongByPhase));
  const problems = [
    ...checkFailureQueues(evidence.messages, index.malformed),
    ...wrongSummaries.map(({ key, why }) => `summary ${key}: ${why}`),
    ...checkMalformedOnStream(phases, index.data),
    ...checkStrays(index.data, phases),
    ...checkLostAndDuplicated(rows),
  ];
  return { rows, problems };
}

const summaryOf = (item: Record<string, { S?: string; N?: string }>): StoredSummary => ({
  Name: item.Name?.S ?? '',
  StatusTime: item.StatusTime?.S ?? '',
  Distance: Number(item.Distance?.N),
  MinMagicPoints: Number(item.MinMagicPoints?.N),
  MaxMagicPoints: Number(item.MaxMagicPoints?.N),
  MinHealthPoints: Number(item.MinHealthPoints?.N),
  MaxHealthPoints: Number(item.MaxHealthPoints?.N),
  Records: Number(item.Records?.N),
});

/**
 * Waits until the data lake, the summaries and the failure queues account for every record on
 * the stream (or the time runs out), watches a little longer for late copies, then compares.
 */
export async function judgeSoak(ctx: OracleContext, phases: readonly SoakPhase[]): Promise<SoakVerdict> {
  const started = Date.now();
  // Nothing is put any more: the stream is what it will be.
  const records = (await readStream(ctx)).map((r) => ({
    data: text(r.Data),
    arrival: r.ApproximateArrivalTimestamp!.getTime(),
  }));
  const wellFormedCount = records.filter((r) => wellFormed(r.data)).length;
  const malformed = records.filter((r) => !wellFormed(r.data)).map((r) => r.data);
  const lake = new DataLake(ctx);
  const queues = new FailureQueues(ctx);
  const readBack = async () => {
    const [lakeLines, items, messages] = await Promise.all([lake.lines(), scanTable(ctx), queues.read()]);
    return { records, lakeLines, summaries: items.map(summaryOf), messages };
  };

  let evidence = await readBack();
  let settled = false;
  const deadline = Date.now() + ctx.settleTimeoutMs;
  for (;;) {
    const aggregated = evidence.summaries.reduce((n, s) => n + s.Records, 0);
    const seen = malformedNotices(evidence.messages);
    const setAside = malformed.filter((d) => seen.has(d)).length;
    ctx.log(
      `soak: settling: ${records.length} on the stream, ${evidence.lakeLines.length} lines in S3, ${aggregated}/${wellFormedCount} aggregated, ${setAside}/${malformed.length} malformed set aside`,
    );
    if (
      evidence.lakeLines.length >= records.length &&
      aggregated >= wellFormedCount &&
      setAside === malformed.length
    ) {
      settled = true;
      break;
    }
    if (Date.now() > deadline) break;
    await sleep(1_000);
    evidence = await readBack();
  }
  const settleSeconds = (Date.now() - started) / 1000;
  // A copy written late (a replayed buffer, a repeated summary) would show by now.
  await sleep(ctx.quietMs);
  evidence = await readBack();
  const { rows, problems } = compareSoak(evidence, phases, ctx.windowSeconds);
  if (!settled) problems.unshift(`not settled within ${ctx.settleTimeoutMs / 1000} s`);
  problems.unshift(...lake.problems);
  return { rows, problems, settleSeconds };
}
