/**
 * The soak, short: `npm start` as a real process through every fault the local run can inject,
 * two SIGKILLs at different points of a window and a log agent restarted across a rotation;
 * then the independent oracle (bench/soak/oracle.ts) reads everything back. Records put
 * = records on the stream = lines in the data lake (none twice) = records in the summaries;
 * every summary equals its recomputation from the stream; every malformed record is in a
 * failure queue with a reason. The long version, with the fault table, is
 * `npm run bench -- --only soak`.
 */
import { synthesizeAssembly } from '../support/assembly';
import {
  AGENT_PHASE,
  EARLY_KILL_PHASE,
  LATE_KILL_PHASE,
  runSoak,
  SOAK_FAULTS,
} from '../../bench/soak/runner';

let assembly: ReturnType<typeof synthesizeAssembly>;
beforeAll(() => {
  assembly = synthesizeAssembly();
}, 300_000);
afterAll(() => assembly.remove());

it('loses nothing and duplicates nothing through every fault, two SIGKILLs and an agent restart', async () => {
  const run = await runSoak({
    assemblyDir: assembly.dir,
    windowSeconds: 3,
    batchingWindowSeconds: 0.3,
    bufferSeconds: 1,
    unicorns: 3,
    ratePerUnicorn: 5,
    faultSeconds: 1,
    malformedPerPhase: 2,
    agentLinesPerStretch: 10,
    settleTimeoutMs: 40_000,
  });
  const { rows, problems } = run.verdict;
  // What the runtime reported (faults, function errors, alarms) helps to read a failure.
  if (problems.length > 0) process.stderr.write(`${run.output}\n`);
  expect(problems).toEqual([]);
  // Every fault had its phase, and each phase put records and saw them through.
  expect(rows.map((r) => r.label)).toEqual([
    'none',
    AGENT_PHASE,
    ...SOAK_FAULTS,
    EARLY_KILL_PHASE,
    LATE_KILL_PHASE,
  ]);
  for (const row of rows) {
    expect(row).toMatchObject({ lost: 0, duplicated: 0, summariesWrong: 0 });
    expect(row.put).toBeGreaterThan(2);
    expect(row.inStream).toBe(row.put);
    expect(row.inS3).toBe(row.put);
    expect(row.setAside).toBeGreaterThan(0);
    expect(row.aggregated).toBe(row.put - row.setAside);
  }
  expect(run.stoppedCleanly).toBe(true);
}, 180_000);
