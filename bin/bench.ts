/**
 * `npm run bench`: how fast, how small, how cheap, measured side by side and written to
 * bench/results/latest.json and latest.md with the machine described. Benchmarks, not tests:
 * nothing here fails on a slow figure; the report says which targets are met.
 */
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { performance } from 'node:perf_hooks';
import { commandLine, helpShown, positiveNumber, UsageError } from '../cli/args';
import { runMain } from '../cli/run-main';
import { benchBundles } from '../bench/bundles';
import { benchCost, benchSynth, benchTestTime, PROJECT_ROOT, SYNTH_CASES } from '../bench/commands';
import { benchHandlers } from '../bench/handlers';
import { benchStart, compareSynth } from '../bench/inner-loop';
import { describeMachine, finishMachine } from '../bench/machine';
import { benchPipeline } from '../bench/pipeline';
import { benchProducer } from '../bench/producer';
import { benchSoak } from '../bench/soak/section';
import { renderMarkdown, SECTIONS, type BenchResults, type Section } from '../bench/report';
import { round } from '../bench/stats';

const USAGE = `Measures synth against a minimal app's, npm start, handler throughput, the local pipeline, the
soak through every fault (its fault table), the producer, bundle sizes and cold starts, the test time
and the cost estimate; writes bench/results/latest.json and latest.md.

Usage: npm run bench [-- --skip-test-time] [--only SECTIONS] [--out-dir DIR]

Sections, in the order they run: ${SECTIONS.join(', ')}.`;

// The SDK's notice about future Node versions is noise here (see bin/producer.cjs).
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

function parseSections(text: string): Set<Section> {
  const names = text.split(',').map((s) => s.trim());
  for (const name of names) {
    if (!(SECTIONS as readonly string[]).includes(name)) {
      throw new UsageError(`--only takes sections from ${SECTIONS.join(', ')}, got "${name}"`);
    }
  }
  return new Set(names as Section[]);
}

function numberList(name: string, text: string): number[] {
  return text.split(',').map((s) => positiveNumber(name)(s.trim()));
}

/** The command line, read: which sections, with what settings, written where. */
function readArguments(argv: string[]) {
  const args = commandLine(argv, 'bench')
    .usage(USAGE)
    .options({
      'skip-test-time': {
        type: 'boolean',
        default: false,
        describe: 'Do not time the whole `npm test` (two thirds of the bench: 5 to 8 minutes on 2 cores)',
      },
      only: { type: 'string', requiresArg: true, describe: 'Run only these sections (comma-separated)' },
      'out-dir': {
        type: 'string',
        requiresArg: true,
        describe: 'Where latest.json and latest.md go (default bench/results; with --only, none: printed)',
      },
      'pipeline-rates': {
        type: 'string',
        requiresArg: true,
        default: '1000,2500,5000,7500',
        describe: 'Target records/s tried on the local pipeline, lowest first',
      },
      'pipeline-seconds': {
        type: 'string',
        requiresArg: true,
        default: '20',
        describe: 'Seconds of traffic per pipeline rate',
      },
      'soak-fault-seconds': {
        type: 'string',
        requiresArg: true,
        default: '10',
        describe: 'Seconds each fault is in force in the soak',
      },
      'bundle-runs': {
        type: 'string',
        requiresArg: true,
        default: '9',
        describe: 'Fresh processes per bundle for the cold-start medians',
      },
    })
    .parseSync();
  if (helpShown(args)) return undefined;
  const sections = args.only === undefined ? new Set<Section>(SECTIONS) : parseSections(args.only);
  if (args.skipTestTime) sections.delete('test');
  const pipelineRates = numberList('pipeline-rates', args.pipelineRates);
  const pipelineSeconds = positiveNumber('pipeline-seconds')(args.pipelineSeconds);
  const bundleRuns = positiveNumber('bundle-runs', { integer: true })(args.bundleRuns);
  const soakFaultSeconds = positiveNumber('soak-fault-seconds', { max: 600 })(args.soakFaultSeconds);
  const outDir =
    args.outDir ?? (args.only === undefined ? path.join(PROJECT_ROOT, 'bench', 'results') : undefined);

  return { sections, pipelineRates, pipelineSeconds, bundleRuns, soakFaultSeconds, outDir };
}

type Settings = NonNullable<ReturnType<typeof readArguments>>;
type MutableResults = { -readonly [K in keyof BenchResults]: BenchResults[K] };

/** Runs each chosen section in order, recording its result, its time, or why it failed. */
async function runSections(
  settings: Settings,
  results: MutableResults,
  log: (line: string) => void,
): Promise<void> {
  const { sections, pipelineRates, pipelineSeconds, bundleRuns, soakFaultSeconds } = settings;
  let assemblyDir: string | undefined;
  const assembly = async () => {
    if (!assemblyDir) {
      // Only when the synth section did not run: the default app's assembly, untimed.
      assemblyDir = (await benchSynth(SYNTH_CASES.slice(0, 1))).assemblyDir;
      if (!assemblyDir) throw new Error('the default app does not synthesize');
    }
    return assemblyDir;
  };

  const sectionWork: Record<Section, () => Promise<void>> = {
    synth: async () => {
      results.synthComparison = await compareSynth();
      const synth = await benchSynth();
      results.synth = synth.rows;
      assemblyDir = synth.assemblyDir;
    },
    start: async () => {
      results.start = await benchStart();
    },
    handlers: async () => {
      results.handlers = await benchHandlers({ warmupMs: 300, measureMs: 1_000 });
    },
    bundles: async () => {
      results.bundles = await benchBundles({ assemblyDir: await assembly(), runs: bundleRuns });
    },
    producer: async () => {
      results.producer = await benchProducer();
    },
    pipeline: async () => {
      results.pipeline = await benchPipeline({
        assemblyDir: await assembly(),
        rates: pipelineRates,
        seconds: pipelineSeconds,
        log,
      });
    },
    soak: async () => {
      results.soak = await benchSoak({ assemblyDir: await assembly(), faultSeconds: soakFaultSeconds, log });
      if (results.soak.problems.length > 0)
        throw new Error(`the soak found ${results.soak.problems.length} problems (see its table)`);
    },
    cost: async () => {
      results.cost = await benchCost(assemblyDir);
    },
    test: async () => {
      results.test = await benchTestTime();
    },
  };

  try {
    for (const section of SECTIONS) {
      if (!sections.has(section)) continue;
      log(`bench: ${section}…`);
      const start = performance.now();
      try {
        await sectionWork[section]();
      } catch (error) {
        results.errors[section] = error instanceof Error ? error.message : String(error);
        log(`bench: ${section} failed: ${results.errors[section]}`);
      }
      results.sectionSeconds[section] = round((performance.now() - start) / 1000, 1);
      log(`bench: ${section} took ${results.sectionSeconds[section]} s`);
    }
  } finally {
    if (assemblyDir) rmSync(assemblyDir, { recursive: true, force: true });
  }
}

runMain('bench', async () => {
  const settings = readArguments(process.argv.slice(2));
  if (!settings) return 0;
  const { outDir } = settings;
  const log = (line: string) => process.stderr.write(`${line}\n`);
  const machine = describeMachine();
  const busy = machine.loadAverage.start[0];
  log(`bench: ${machine.cpu}, ${machine.cores} cores, load average ${machine.loadAverage.start.join(' ')}`);
  if (busy > machine.cores / 2) {
    log(`bench: the machine is busy (load ${busy} on ${machine.cores} cores); figures will be low`);
  }

  const results: MutableResults = { machine, sectionSeconds: {}, errors: {} };
  await runSections(settings, results, log);

  results.machine = finishMachine(machine);
  const markdown = renderMarkdown(results);
  if (outDir) {
    mkdirSync(outDir, { recursive: true });
    writeFileSync(path.join(outDir, 'latest.json'), `${JSON.stringify(results, null, 2)}\n`);
    writeFileSync(path.join(outDir, 'latest.md'), markdown);
    log(`bench: wrote ${path.relative(process.cwd(), path.join(outDir, 'latest.md'))} and latest.json`);
  } else {
    process.stdout.write(`${markdown}${os.EOL}`);
  }
  return Object.keys(results.errors).length > 0 ? 1 : 0;
});
