import { mkdtempSync, readFileSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import type { LocalFunction } from '../../local/assembly';
import { Faults, parseFault } from '../../local/faults';
import { FunctionError, LambdaHost } from '../../local/lambda-host';

/**
 * aws:lambda:invocation-error and aws:lambda:invocation-add-delay on the functions the local
 * runtime runs: per function, with FIS's preventExecution and startupDelayMilliseconds.
 */

let dir: string;
const hosts: LambdaHost[] = [];
/** The delays the hosts waited, by function: a recording sleep in place of real time. */
const slept: { name: string; ms: number }[] = [];
beforeAll(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'lambda-faults-'));
  // The function leaves a mark for each event it runs, so a test sees whether it ran.
  writeFileSync(
    path.join(dir, 'index.js'),
    `const fs = require('node:fs');
exports.handler = async (event) => { fs.appendFileSync(event.mark, 'ran\\n'); return { echoed: event.n }; };`,
  );
});
afterAll(async () => {
  await Promise.all(hosts.map((h) => h.stop()));
  rmSync(dir, { recursive: true, force: true });
});

function host(name: string, faults: Faults) {
  const fn: LocalFunction = {
    logicalId: name,
    name,
    arn: `arn:aws:lambda:us-east-1:000000000000:function:${name}`,
    handler: 'index.handler',
    codeDir: dir,
    environment: {},
    timeoutSeconds: 10,
    memoryMb: 128,
  };
  const h = new LambdaHost(
    fn,
    { PATH: process.env.PATH ?? '' },
    path.join(dir, `${name}.log`),
    undefined,
    faults,
    async (ms) => void slept.push({ name, ms }),
  );
  hosts.push(h);
  return h;
}

const ran = (mark: string) =>
  existsSync(mark) ? readFileSync(mark, 'utf8').split('\n').filter(Boolean).length : 0;

it('aws:lambda:invocation-error fails the targeted function without running it, others run', async () => {
  const faults = new Faults([parseFault('aws:lambda:invocation-error@Aggregate')]);
  const mark = path.join(dir, 'a.mark');
  const error = await host('Aggregate', faults)
    .invoke({ n: 1, mark })
    .catch((e: unknown) => e);
  expect(error).toBeInstanceOf(FunctionError);
  expect(error).toMatchObject({ functionName: 'Aggregate', errorType: 'InjectedFault' });
  expect(ran(mark)).toBe(0);
  const other = path.join(dir, 'b.mark');
  await expect(host('Persist', faults).invoke({ n: 2, mark: other })).resolves.toEqual({ echoed: 2 });
  expect(ran(other)).toBe(1);
});

it('with preventExecution=false the function runs and the invocation still fails', async () => {
  const faults = new Faults([parseFault('aws:lambda:invocation-error@Runs?preventExecution=false')]);
  const mark = path.join(dir, 'c.mark');
  await expect(host('Runs', faults).invoke({ n: 3, mark })).rejects.toThrow(/InjectedFault/);
  expect(ran(mark)).toBe(1);
});

it('aws:lambda:invocation-add-delay starts the invocation late', async () => {
  const faults = new Faults([
    parseFault('aws:lambda:invocation-add-delay@Slow?startupDelayMilliseconds=400'),
  ]);
  const fast = host('Fast', faults);
  const slow = host('Slow', faults);
  const mark = path.join(dir, 'd.mark');
  await fast.invoke({ n: 0, mark }); // warm both
  faults.clear();
  await slow.invoke({ n: 0, mark });
  faults.add(parseFault('aws:lambda:invocation-add-delay@Slow?startupDelayMilliseconds=400'));
  slept.length = 0;
  await slow.invoke({ n: 4, mark });
  await fast.invoke({ n: 5, mark });
  expect(slept).toEqual([{ name: 'Slow', ms: 400 }]);
  expect(readFileSync(mark, 'utf8')).toBe('ran\nran\nran\nran\n'); // delayed, not prevented
});
