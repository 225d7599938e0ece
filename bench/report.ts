import type { BundleBenchResult } from './bundles';
import type { CostResult, SynthRow, TestTimeResult } from './commands';
import type { HandlerBenchResult } from './handlers';
import type { StartResult, SynthComparison } from './inner-loop';
import type { Machine } from './machine';
import type { PipelineBenchResult, PipelineRun } from './pipeline';
import type { ProducerBenchResult } from './producer';
import type { SoakBenchResult } from './soak/section';
import { round } from './stats';

export const SECTIONS = [
  'synth',
  'start',
  'handlers',
  'bundles',
  'producer',
  'pipeline',
  'soak',
  'cost',
  'test',
] as const;
export type Section = (typeof SECTIONS)[number];

/** Everything one `npm run bench` measured; a section is absent when it was not run. */
export interface BenchResults {
  readonly machine: Machine;
  /** Wall time of each section, seconds. */
  readonly sectionSeconds: Partial<Record<Section, number>>;
  /** Sections that failed, with the error. */
  readonly errors: Partial<Record<Section, string>>;
  readonly synth?: SynthRow[];
  /** The default app's synth beside a minimal two-resource app's, through the same CLI. */
  readonly synthComparison?: SynthComparison;
  readonly start?: StartResult;
  readonly handlers?: HandlerBenchResult;
  readonly bundles?: BundleBenchResult;
  readonly producer?: ProducerBenchResult;
  readonly pipeline?: PipelineBenchResult;
  readonly soak?: SoakBenchResult;
  readonly cost?: CostResult;
  readonly test?: TestTimeResult;
}

/** The project's targets, each with the figure that decides it. */
export interface TargetCheck {
  readonly target: string;
  readonly result: string;
  /** undefined when the figure was not measured. */
  readonly met?: boolean;
}

/** The inner loop's targets: synth against the reference app, the whole test suite, npm start. */
export const INNER_LOOP_TARGETS = {
  synthRatio: 1.5,
  testSeconds: 150,
  freshStartSeconds: 8,
  unchangedStartSeconds: 3,
} as const;

const LATENCY_TARGET_MS = 300;
const SUSTAINED_TARGET = 5_000;
/** Kinesis' write limit per shard: the rate that matters for one deployed shard. */
const SHARD_LIMIT = 1_000;

const n = (value: number) => Math.round(value).toLocaleString('en');
const usd = (value: number) => `$${value.toFixed(3)}`;
const kib = (bytes: number) => `${n(bytes / 1024)} KiB`;
const ms = (value: number | undefined) => (value === undefined ? '–' : `${n(value)} ms`);
const yes = (met: boolean | undefined) => (met === undefined ? 'not measured' : met ? 'yes' : '**no**');

function table(head: readonly string[], align: readonly ('l' | 'r')[], rows: readonly string[][]): string {
  const line = (cells: readonly string[]) => `| ${cells.join(' | ')} |`;
  return [line(head), line(align.map((a) => (a === 'r' ? '---:' : '---'))), ...rows.map(line)].join('\n');
}

/** One row per inner-loop figure: measured, its reference, the ratio, the target. */
export function innerLoopRows(results: BenchResults): { row: string[]; check: TargetCheck }[] {
  const t = INNER_LOOP_TARGETS;
  const rows: { row: string[]; check: TargetCheck }[] = [];
  const c = results.synthComparison;
  if (c) {
    const synthRow = (label: string, seconds: number, ratio: number, what: string) => {
      const met = c.notAvailable ? undefined : ratio <= t.synthRatio;
      rows.push({
        row: [
          label,
          c.notAvailable ? 'not available' : `${seconds} s`,
          c.notAvailable ? c.notAvailable : `${c.referenceMedian} s: a two-resource app, same CLI`,
          c.notAvailable ? '–' : `${ratio}×`,
          `≤ ${t.synthRatio}×`,
          yes(met),
        ],
        check: {
          target: `${label} ≤ ${t.synthRatio}× a two-resource app's through the same CLI`,
          result: c.notAvailable ?? `${ratio}× (${seconds} s vs ${c.referenceMedian} s${what})`,
          met,
        },
      });
    };
    synthRow('`cdk synth` of the default app', c.appMedian, c.ratio, `, medians of ${c.appSeconds.length}`);
    synthRow('`cdk synth`, no bundles kept (after `npm ci`)', c.coldSeconds, c.coldRatio, '');
  }
  const seconds = (label: string, value: number | undefined, limit: number, what: string) => {
    const met = value === undefined ? undefined : value <= limit;
    rows.push({
      row: [
        label,
        value === undefined ? 'not measured' : `${value} s`,
        `${limit} s (the target)`,
        value === undefined ? '–' : `${round(value / limit, 2)}×`,
        `≤ ${limit} s`,
        yes(met),
      ],
      check: {
        target: `${label} ≤ ${limit} s${what}`,
        result: value === undefined ? '–' : `${value} s`,
        met,
      },
    });
  };
  if (results.test) {
    seconds(
      '`npm test`',
      results.test.passed ? results.test.seconds : undefined,
      t.testSeconds,
      ', every test passing',
    );
  }
  if (results.start) {
    seconds(
      '`npm start` ready, fresh clone',
      results.start.freshSeconds,
      t.freshStartSeconds,
      ' (first synth included)',
    );
    seconds(
      '`npm start` ready, nothing changed',
      results.start.unchangedSeconds,
      t.unchangedStartSeconds,
      '',
    );
  }
  return rows;
}

export function targetChecks(results: BenchResults): TargetCheck[] {
  const checks: TargetCheck[] = innerLoopRows(results).map((r) => r.check);
  for (const name of ['aggregation handler', 'sensor handler']) {
    const row = results.handlers?.rows.find((r) => r.name === name);
    checks.push({
      target: `${name}: at least half the decode-only baseline's records/s`,
      result: row
        ? `${row.ratio}× (${n(row.recordsPerSecond)} vs ${n(row.baselinePerSecond)} records/s)`
        : '–',
      met: row?.targetMet,
    });
  }
  const pipeline = results.pipeline;
  checks.push({
    target: `local pipeline: ≥ ${n(SUSTAINED_TARGET)} records/s sustained with no loss`,
    result: pipeline ? `${n(pipeline.sustainedPerSecond)} records/s` : '–',
    met: pipeline ? pipeline.sustainedPerSecond >= SUSTAINED_TARGET : undefined,
  });
  const atLimit = pipeline?.runs.find((r) => r.targetPerSecond === SHARD_LIMIT);
  checks.push({
    target: `put→consumer p99 < ${LATENCY_TARGET_MS} ms at ${n(SHARD_LIMIT)} records/s (one shard's limit)`,
    result: atLimit ? `p50 ${ms(atLimit.latencyMs.p50)}, p99 ${ms(atLimit.latencyMs.p99)}` : '–',
    met: atLimit ? atLimit.latencyMs.p99 < LATENCY_TARGET_MS : undefined,
  });
  const iam = pipeline?.iam;
  if (iam) {
    const rate = iam.on.aggregated / Math.max(1, iam.off.aggregated);
    const latency = iam.on.latencyMs.p50 / Math.max(1, iam.off.latencyMs.p50);
    checks.push({
      target: 'IAM evaluated at the endpoint: rate and put→read latency within 10 % of evaluation off',
      result:
        `${n(iam.on.aggregated)} vs ${n(iam.off.aggregated)} records aggregated (${round(rate, 2)}×), ` +
        `p50 ${ms(iam.on.latencyMs.p50)} vs ${ms(iam.off.latencyMs.p50)} at ${n(iam.on.targetPerSecond)} records/s`,
      met: rate >= 0.9 && latency <= 1.1,
    });
  }
  const best = pipeline?.runs.find((r) => r.targetPerSecond === pipeline.sustainedPerSecond);
  if (best && best !== atLimit) {
    checks.push({
      target: `put→consumer p99 < ${LATENCY_TARGET_MS} ms at the highest sustained rate`,
      result: `p99 ${ms(best.latencyMs.p99)} at ${n(best.targetPerSecond)} records/s`,
      met: best.latencyMs.p99 < LATENCY_TARGET_MS,
    });
  }
  return checks;
}

function pipelineRow(run: PipelineRun): string[] {
  return [
    n(run.targetPerSecond),
    n(run.producer.perSecond),
    `${n(run.aggregated)} of ${n(run.producer.sent)}`,
    `${run.behindSeconds} s`,
    `${ms(run.latencyMs.p50)} / ${ms(run.latencyMs.p99)}`,
    ms(run.latencyFromCreationMs.p99),
    `${run.mainThread.cpuPercent} %`,
    run.machineBusyPercent === undefined ? '–' : `${run.machineBusyPercent} %`,
    run.errors === 0 ? '0' : `**${run.errors}**`,
    run.sustained ? 'yes' : '**no**',
  ];
}

/** The title and the machine the figures were taken on. */
function machineSection(results: BenchResults): string[] {
  const m = results.machine;
  const out: string[] = [];
  out.push('# Benchmarks', '');
  out.push(
    `${m.date.slice(0, 10)} on ${m.cpu}, ${m.cores} cores, ${m.memoryGiB} GiB, ${m.os}, Node.js ${m.node}. ` +
      `Load average (1/5/15 min) ${m.loadAverage.start.join(' / ')} at the start` +
      (m.loadAverage.end ? `, ${m.loadAverage.end.join(' / ')} at the end.` : '.'),
    '',
  );

  return out;
}

/** Targets and whether each is met. */
function targetsSection(results: BenchResults): string[] {
  const out: string[] = [];
  out.push('## Targets', '');
  out.push(
    table(
      ['target', 'result', 'met'],
      ['l', 'l', 'l'],
      targetChecks(results).map((c) => [c.target, c.result, yes(c.met)]),
    ),
    '',
  );

  return out;
}

/** Synth and `npm start` beside their references. */
function innerLoopSection(results: BenchResults): string[] {
  const out: string[] = [];
  const innerLoop = innerLoopRows(results);
  if (innerLoop.length > 0) {
    out.push('## Inner loop', '');
    out.push(
      'Wall time on this machine. Synth: `cdk synth --quiet` into a fresh folder, the app and a minimal ' +
        'two-resource app (a bucket and a queue) run by the same `app` command, alternating; medians. The ' +
        "app's first run has no bundles kept from an earlier synth (as after `npm ci`); the later runs reuse " +
        'them (lib/constructs/build-cache.ts), as every synth after the first does while the sources stay put. ' +
        '`npm start`: from the command to "pipeline is running", in a copy of the working tree with no ' +
        '`.local` (a fresh clone), then again with nothing changed.',
      '',
    );
    out.push(
      table(
        ['what', 'measured', 'reference', 'ratio', 'target', 'met'],
        ['l', 'r', 'l', 'r', 'l', 'l'],
        innerLoop.map((r) => r.row),
      ),
      '',
    );
    const c = results.synthComparison;
    if (c && !c.notAvailable) {
      out.push(
        `Synth runs: the app ${c.coldSeconds} s with no bundles kept, then ${c.appSeconds.join(', ')} s; ` +
          `the reference ${c.referenceSeconds.join(', ')} s.`,
        '',
      );
    }
  }

  return out;
}

/** Each handler step's throughput beside decoding alone. */
function handlersSection(results: BenchResults): string[] {
  const out: string[] = [];
  if (results.handlers) {
    const h = results.handlers;
    out.push('## Handler throughput, one core', '');
    out.push(
      `Records per second of each step against a baseline that only decodes the same records ` +
        `(base64 → UTF-8 → \`JSON.parse\`), timed in alternating pairs; AWS calls stubbed. Data: ${h.batch}.`,
      '',
    );
    out.push(
      table(
        ['step', 'what it does', 'records/s', 'decode-only records/s', 'ratio', '≥ 0.5'],
        ['l', 'l', 'r', 'r', 'r', 'l'],
        h.rows.map((r) => [
          r.name,
          r.what,
          n(r.recordsPerSecond),
          n(r.baselinePerSecond),
          `${r.ratio}×`,
          yes(r.targetMet),
        ]),
      ),
      '',
    );
    const slow = h.rows.filter((r) => r.hotspots);
    if (slow.length > 0) {
      out.push('Where the time goes (self time, top frames):', '');
      for (const r of slow) {
        out.push(
          `- ${r.name}: ${r
            .hotspots!.slice(0, 5)
            .map((s) => `${s.frame} ${s.selfPercent} %`)
            .join(', ')}`,
        );
      }
      out.push('');
    }
  }

  return out;
}

/** The local pipeline end to end at each rate. */
function pipelineSection(results: BenchResults): string[] {
  const out: string[] = [];
  if (results.pipeline) {
    const p = results.pipeline;
    out.push('## Local pipeline, end to end', '');
    out.push(
      `\`producer --fleet ${p.fleet}\` in its own process for ${p.seconds} s per rate into the local runtime ` +
        `(emulators, event sources and the synthesized functions, on a fresh data folder each time). Sustained: ` +
        `every record aggregated, no function errors or failure-queue messages, the producer at ≥ 95 % of the rate ` +
        `and the aggregation at most 2 s of traffic behind when the producer stops. Latency: a probe consumer ` +
        `polling every 200 ms (one shard's 5 reads/s) times the records put during one second in every five; ` +
        `put = the stream's arrival timestamp, created = the record's StatusTime in the producer.`,
      '',
    );
    out.push(
      table(
        [
          'target rec/s',
          'producer rec/s',
          'aggregated',
          'aggregation behind',
          'put→read p50 / p99',
          'created→read p99',
          'main thread CPU',
          'all cores busy',
          'errors',
          'sustained',
        ],
        ['r', 'r', 'r', 'r', 'r', 'r', 'r', 'r', 'r', 'l'],
        p.runs.map(pipelineRow),
      ),
      '',
    );
    if (p.iam) {
      out.push(
        'IAM evaluation at the endpoint, off then on, at the same rate (the runs above have it on):',
        '',
        table(
          [
            'IAM',
            'target rec/s',
            'producer rec/s',
            'aggregated',
            'behind',
            'p50 / p99',
            'created→read p99',
            'main thread CPU',
            'all cores busy',
            'errors',
            'sustained',
          ],
          ['l', 'r', 'r', 'r', 'r', 'r', 'r', 'r', 'r', 'r', 'l'],
          [
            ['off', ...pipelineRow(p.iam.off)],
            ['on', ...pipelineRow(p.iam.on)],
          ],
        ),
        '',
      );
    }
    const last = p.runs[p.runs.length - 1];
    if (last) {
      out.push(
        `Main thread at ${n(last.targetPerSecond)} records/s (self time by package): ` +
          last.mainThread.hotspots.map((s) => `${s.frame} ${s.selfPercent} %`).join(', ') +
          '.',
        '',
      );
    }
  }

  return out;
}

/** The soak's fault table: per fault, what was put and where it arrived. */
export function soakSection(results: BenchResults): string[] {
  const soak = results.soak;
  if (!soak) return [];
  const s = soak.settings;
  return [
    '## Soak: faults, crashes and restarts',
    '',
    `\`npm start\` as a process; per phase ${s.unicorns} unicorns of its own at ${s.ratePerUnicorn} records/s ` +
      `each and ${s.malformedPerPhase} malformed records, each fault in force for ${s.faultSeconds} s; ` +
      `${s.windowSeconds} s windows, ${s.batchingWindowSeconds} s batching, ${s.bufferSeconds} s Firehose buffers. ` +
      'Counted by an oracle independent of the pipeline: lost = put but missing from the stream, S3, the ' +
      'summaries or (malformed) the failure queue; duplicated = extra copies in the stream or S3, or records ' +
      'counted twice in the summaries; summaries wrong = items differing from their recomputation from the stream.',
    '',
    table(
      [
        'fault',
        'records put',
        'in stream',
        'in S3',
        'aggregated',
        'malformed set aside',
        'lost',
        'duplicated',
        'summaries wrong',
      ],
      ['l', 'r', 'r', 'r', 'r', 'r', 'r', 'r', 'r'],
      soak.rows.map((r) => [
        `\`${r.label}\``,
        n(r.put),
        n(r.inStream),
        n(r.inS3),
        n(r.aggregated),
        n(r.setAside),
        n(r.lost),
        n(r.duplicated),
        n(r.summariesWrong),
      ]),
    ),
    '',
    `Settled ${soak.settleSeconds.toFixed(1)} s after the last record; ${soak.seconds.toFixed(0)} s in all; ` +
      `the last runtime ${soak.stoppedCleanly ? 'stopped cleanly on Ctrl-C' : '**did not stop cleanly**'}.` +
      (soak.problems.length > 0 ? ` Problems: ${soak.problems.slice(0, 10).join('; ')}.` : ' No problems.'),
    '',
  ];
}

/** The producer's fleet at each rate. */
function producerSection(results: BenchResults): string[] {
  const out: string[] = [];
  if (results.producer) {
    out.push('## Producer, `--fleet 1000`', '');
    out.push(`Into ${results.producer.emulator}.`, '');
    out.push(
      table(
        ['--rate', 'asked records/s', 'records/s', 'sent', 'failed'],
        ['r', 'r', 'r', 'r', 'r'],
        results.producer.runs.map((r) => [
          String(r.rate),
          n(r.targetPerSecond),
          n(r.perSecond),
          n(r.sent),
          n(r.failed),
        ]),
      ),
      '',
    );
  }

  return out;
}

/** Bundle sizes and cold starts. */
function bundlesSection(results: BenchResults): string[] {
  const out: string[] = [];
  if (results.bundles) {
    const b = results.bundles;
    out.push('## Bundles and cold start', '');
    out.push(
      `esbuild as WildRydesFunction does (${b.target}, minified, source map); each figure the median of ${b.runs} ` +
        'fresh processes with `NODE_OPTIONS=--enable-source-maps` as deployed. Load = requiring the bundle ' +
        "(Lambda's init phase); first invocation = the handler's first call with the event shown, " +
        'its AWS calls going to local emulators. Zipped = bundle and source map compressed, as in the deployment package.',
      '',
    );
    out.push(
      table(
        [
          'handler',
          'AWS SDK',
          'bundle',
          'source map',
          'zipped',
          'load',
          'first invocation',
          'cold start',
          'event',
        ],
        ['l', 'l', 'r', 'r', 'r', 'r', 'r', 'r', 'l'],
        b.rows.map((r) => [
          r.handler,
          r.sdk === 'bundled' ? 'bundled' : "runtime's copy",
          kib(r.bytes),
          kib(r.sourceMapBytes),
          kib(r.zippedBytes),
          ms(r.loadMs),
          ms(r.firstInvokeMs),
          ms(r.coldStartMs),
          r.event ?? '',
        ]),
      ),
      '',
    );
  }

  return out;
}

/** Synth of each app shape, and the test suite. */
function synthAndTestsSection(results: BenchResults): string[] {
  const out: string[] = [];
  if (results.synth || results.test) {
    out.push('## Synth and tests', '');
    const rows: string[][] = (results.synth ?? []).map((r) => [
      `\`${r.command}\` (${r.name})`,
      r.seconds === undefined ? 'not available' : `${r.seconds} s`,
      r.notAvailable ?? `${r.stacks} stack(s)`,
    ]);
    if (results.test) {
      rows.push([
        '`npm test`',
        `${results.test.seconds} s`,
        `${results.test.passed ? 'passed' : '**failed**'}: ${results.test.summary}`,
      ]);
    }
    out.push(table(['command', 'wall time', 'notes'], ['l', 'r', 'l'], rows), '');
  }

  return out;
}

/** Cost per attendee-hour beside the seed architecture's. */
function costSection(results: BenchResults): string[] {
  const out: string[] = [];
  if (results.cost) {
    const c = results.cost;
    out.push('## Cost per attendee-hour', '');
    if (c.usdPerAttendeeHour === undefined) {
      out.push(`Not available: ${c.notAvailable}.`, '');
    } else {
      const rows = [['this stack', usd(c.usdPerAttendeeHour), '1×']];
      if (c.seedUsdPerAttendeeHour !== undefined) {
        rows.push([
          'seed architecture (aggregation in a Flink Studio notebook)',
          usd(c.seedUsdPerAttendeeHour),
          `${round(c.seedUsdPerAttendeeHour / c.usdPerAttendeeHour, 1)}×`,
        ]);
      }
      out.push(`From \`${c.command}\`: ${c.basis}.`, '');
      out.push(table(['architecture', 'USD per attendee-hour', 'relative'], ['l', 'r', 'r'], rows), '');
    }
  }

  return out;
}

/** Sections that could not run, and why. */
function failuresSection(results: BenchResults): string[] {
  const out: string[] = [];
  const errors = Object.entries(results.errors);
  if (errors.length > 0) {
    out.push('## Sections that failed', '');
    for (const [section, message] of errors) out.push(`- ${section}: ${message}`);
    out.push('');
  }

  return out;
}

/** Time each section took. */
function timeTakenSection(results: BenchResults): string[] {
  const out: string[] = [];
  out.push('## Time taken', '');
  out.push(
    table(
      ['section', 'seconds'],
      ['l', 'r'],
      [
        ...Object.entries(results.sectionSeconds).map(([section, seconds]) => [section, String(seconds)]),
        [
          'total',
          String(
            round(
              Object.values(results.sectionSeconds).reduce((a, b) => a + b, 0),
              1,
            ),
          ),
        ],
      ],
    ),
    '',
  );
  return out;
}

/** The results as Markdown: the machine, the targets, then each figure's table. */
export function renderMarkdown(results: BenchResults): string {
  return [
    ...machineSection(results),
    ...targetsSection(results),
    ...innerLoopSection(results),
    ...handlersSection(results),
    ...pipelineSection(results),
    ...soakSection(results),
    ...producerSection(results),
    ...bundlesSection(results),
    ...synthAndTestsSection(results),
    ...costSection(results),
    ...failuresSection(results),
    ...timeTakenSection(results),
  ].join('\n');
}
