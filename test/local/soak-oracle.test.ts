/**
 * The soak's oracle must be able to fail: fed what a pipeline that lost, duplicated or
 * miscounted would leave behind, it says so, phase by phase.
 */
import { compareSoak, type SoakEvidence, type SoakPhase, type StoredSummary } from '../../bench/soak/oracle';

const WINDOW = 10;
const T0 = Date.UTC(2026, 10, 30, 12, 0, 0);
const status = (name: string, i: number, distance: number, magic: number, health: number) =>
  JSON.stringify({
    Name: name,
    StatusTime: new Date(T0 + i).toISOString().replace('T', ' ').slice(0, 23),
    Latitude: 40.7,
    Longitude: -73.9,
    Distance: distance,
    MagicPoints: magic,
    HealthPoints: health,
  });
const BAD = '{"Name":"P01bad1","StatusTime":';
const notice = (data: string) => ({
  queue: 'Failures',
  kind: 'malformed-record',
  reason: 'record is not JSON',
  data: Buffer.from(data).toString('base64'),
});

/** Phase P01: three records of one unicorn, two in the first window, one arriving in the next; one malformed. */
function exact(): { evidence: SoakEvidence; phases: SoakPhase[] } {
  const a = status('P01u1', 1, 10, 5, 100);
  const b = status('P01u1', 2, 2.5, 7, 99);
  // Made in the first window, arrived in the second: it counts in the second.
  const c = status('P01u1', 3, 1, 3, 98);
  const records = [
    { data: a, arrival: T0 + 100 },
    { data: b, arrival: T0 + 200 },
    { data: BAD, arrival: T0 + 300 },
    { data: c, arrival: T0 + WINDOW * 1000 + 5 },
  ];
  const summaries: StoredSummary[] = [
    {
      Name: 'P01u1',
      StatusTime: '2026-11-30 12:00:00.000',
      Distance: 12.5,
      MinMagicPoints: 5,
      MaxMagicPoints: 7,
      MinHealthPoints: 99,
      MaxHealthPoints: 100,
      Records: 2,
    },
    {
      Name: 'P01u1',
      StatusTime: '2026-11-30 12:00:10.000',
      Distance: 1,
      MinMagicPoints: 3,
      MaxMagicPoints: 3,
      MinHealthPoints: 98,
      MaxHealthPoints: 98,
      Records: 1,
    },
  ];
  return {
    evidence: { records, lakeLines: [a, BAD, b, c], summaries, messages: [notice(BAD)] },
    phases: [{ label: 'none', tag: 'P01', put: 4, malformedPut: [BAD] }],
  };
}

it('finds an exact run exact', () => {
  const { evidence, phases } = exact();
  expect(compareSoak(evidence, phases, WINDOW)).toEqual({
    rows: [
      {
        label: 'none',
        tag: 'P01',
        put: 4,
        inStream: 4,
        inS3: 4,
        aggregated: 3,
        setAside: 1,
        lost: 0,
        duplicated: 0,
        summariesWrong: 0,
      },
    ],
    problems: [],
  });
});

it('counts a line written twice to the data lake as duplicated, a missing one as lost', () => {
  const twice = exact();
  const doubled = {
    ...twice.evidence,
    lakeLines: [...twice.evidence.lakeLines, twice.evidence.lakeLines[0]],
  };
  expect(compareSoak(doubled, twice.phases, WINDOW).rows[0]).toMatchObject({
    inS3: 5,
    duplicated: 1,
    lost: 0,
  });
  const missing = { ...twice.evidence, lakeLines: twice.evidence.lakeLines.slice(1) };
  const judged = compareSoak(missing, twice.phases, WINDOW);
  expect(judged.rows[0]).toMatchObject({ inS3: 3, duplicated: 0, lost: 1 });
  expect(judged.problems).toEqual(['P01 (none): 1 lost, 0 duplicated']);
});

it('counts a record the stream holds twice as duplicated, and a put the stream lacks as lost', () => {
  const { evidence, phases } = exact();
  const repeated = { ...evidence, records: [...evidence.records, evidence.records[0]] };
  // Once too often on the stream; then the data lake and the summary, holding it once, are one short.
  expect(compareSoak(repeated, phases, WINDOW).rows[0]).toMatchObject({
    inStream: 5,
    duplicated: 1,
    lost: 2,
    summariesWrong: 1,
  });
  const short = compareSoak(evidence, [{ ...phases[0], put: 5 }], WINDOW);
  expect(short.rows[0]).toMatchObject({ lost: 1 });
});

it('finds a summary that differs from its recomputation, or is missing, or counted twice', () => {
  const { evidence, phases } = exact();
  const off = evidence.summaries.map((s, i) => (i === 0 ? { ...s, Records: 3, Distance: 12.6 } : s));
  const judged = compareSoak({ ...evidence, summaries: off }, phases, WINDOW);
  expect(judged.rows[0]).toMatchObject({ aggregated: 4, duplicated: 1, summariesWrong: 1 });
  expect(judged.problems).toContain(
    'summary P01u1|2026-11-30 12:00:00.000: Distance 12.6 ≠ 12.5, Records 3 ≠ 2',
  );

  const gone = compareSoak({ ...evidence, summaries: evidence.summaries.slice(1) }, phases, WINDOW);
  expect(gone.rows[0]).toMatchObject({ aggregated: 1, lost: 2, summariesWrong: 1 });
  expect(gone.problems).toContain('summary P01u1|2026-11-30 12:00:00.000: missing from the table');

  // Windows by arrival: the record made in the first window but arriving in the second counts there.
  const byStatusTime = evidence.summaries.map((s, i) =>
    i === 0 ? { ...s, Records: 3, Distance: 13.5, MinMagicPoints: 3, MinHealthPoints: 98 } : s,
  );
  expect(
    compareSoak({ ...evidence, summaries: byStatusTime.slice(0, 1) }, phases, WINDOW).rows[0].summariesWrong,
  ).toBe(2);
});

it('wants every malformed record in a failure queue with a reason, and nothing else there', () => {
  const { evidence, phases } = exact();
  expect(compareSoak({ ...evidence, messages: [] }, phases, WINDOW).rows[0]).toMatchObject({
    setAside: 0,
    lost: 1,
  });
  const noReason = compareSoak({ ...evidence, messages: [{ ...notice(BAD), reason: '' }] }, phases, WINDOW);
  expect(noReason.problems).toContain('a failure message in Failures without a reason');
  const givenUp = compareSoak(
    {
      ...evidence,
      messages: [...evidence.messages, { queue: 'Failures', KinesisBatchInfo: { batchSize: 3 } }],
    },
    phases,
    WINDOW,
  );
  expect(givenUp.problems).toEqual(['Failures: {"queue":"Failures","KinesisBatchInfo":{"batchSize":3}}']);
});
