/**
 * The soak, long: the same run as test/local/soak.e2e.test.ts (npm start as a real process
 * through every fault, two SIGKILLs in a window, the log agent restarted across a rotation,
 * judged by the test's independent oracle) with more unicorns, longer faults and windows, and
 * its fault table reported: per phase, records put, on the stream, in S3, aggregated, lost,
 * duplicated.
 */
import type { SoakRow } from './oracle';
import { runSoak, type SoakSettings } from './runner';

/**
 * Ten-second windows with the aggregation gathering for a second and the data lake buffering
 * five: short enough for the two kills to land inside windows within a few minutes, long enough
 * that each window sees many invocations carrying state. 20 unicorns at 10 records/s each
 * (200 records/s, a fifth of the shard's write limit) for 10 s per fault.
 */
export const SOAK_BENCH_SETTINGS: Omit<SoakSettings, 'assemblyDir' | 'log'> = {
  windowSeconds: 10,
  batchingWindowSeconds: 1,
  bufferSeconds: 5,
  unicorns: 20,
  ratePerUnicorn: 10,
  faultSeconds: 10,
  malformedPerPhase: 5,
  agentLinesPerStretch: 200,
  settleTimeoutMs: 180_000,
  quietMs: 10_000,
};

export interface SoakBenchResult {
  readonly settings: Omit<SoakSettings, 'assemblyDir' | 'log'>;
  readonly rows: SoakRow[];
  readonly problems: string[];
  /** From the last record put until everything was in S3, the table and the failure queues. */
  readonly settleSeconds: number;
  readonly seconds: number;
  readonly stoppedCleanly: boolean;
}

export async function benchSoak(options: {
  assemblyDir: string;
  faultSeconds?: number;
  log: (line: string) => void;
}): Promise<SoakBenchResult> {
  const settings = {
    ...SOAK_BENCH_SETTINGS,
    ...(options.faultSeconds === undefined ? {} : { faultSeconds: options.faultSeconds }),
  };
  const run = await runSoak({ ...settings, assemblyDir: options.assemblyDir, log: options.log });
  return {
    settings,
    rows: run.verdict.rows,
    problems: run.verdict.problems,
    settleSeconds: run.verdict.settleSeconds,
    seconds: run.seconds,
    stoppedCleanly: run.stoppedCleanly,
  };
}
