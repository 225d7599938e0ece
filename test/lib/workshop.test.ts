import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import {
  attendeeStackName,
  parseWorkshop,
  planWorkshop,
  readWorkshopFile,
  validateWorkshop,
  WorkshopFileError,
  type WorkshopSpec,
} from '../../lib/workshop';

const ALICE = { id: 'alice', account: '111111111111', region: 'us-east-1' };

describe('workshop file', () => {
  it('reads JSON and YAML alike', () => {
    const json = parseWorkshop(JSON.stringify({ attendees: [ALICE, { id: 'bob' }] }), 'w.json');
    const yaml = parseWorkshop(
      [
        'attendees:',
        '  - id: alice',
        "    account: '111111111111'",
        '    region: us-east-1',
        '  - id: bob',
      ].join('\n'),
      'w.yaml',
    );
    expect(yaml).toEqual(json);
    expect(json).toEqual({ attendees: [ALICE, { id: 'bob' }] });
  });

  it('keeps the optional fields', () => {
    const spec = validateWorkshop(
      {
        name: 'Re:Invent 2026',
        attendees: [{ id: 'a' }],
        prefixNames: 'always',
        settings: { telemetryStreamMode: 'on-demand', weblogs: true },
        durationHours: 3,
      },
      'w.json',
    );
    expect(spec).toEqual({
      name: 'Re:Invent 2026',
      attendees: [{ id: 'a' }],
      prefixNames: 'always',
      settings: { telemetryStreamMode: 'on-demand', weblogs: true },
      durationHours: 3,
    });
  });

  it.each([
    ['[1, 2]', /w\.json: expected an object with "attendees", got \[1,2\]/],
    ['{}', /w\.json: attendees must be a non-empty list/],
    ['{"attendees": []}', /w\.json: attendees must be a non-empty list of \{"id": \.\.\.\}, got \[\]/],
    [
      '{"attendees": [{"id": "alice"}], "atendees": []}',
      /w\.json: unknown key "atendees" \(did you mean "attendees"\?\); allowed: name, attendees/,
    ],
    ['{"attendees": ["alice"]}', /attendees\[0\] must be an object with "id", got "alice"/],
    ['{"attendees": [{"name": "alice"}]}', /attendees\[0\]: unknown key "name"/],
    ['{"attendees": [{"id": 7}]}', /attendees\[0\]\.id must be a string, got 7/],
    ['{"attendees": [{"id": "Alice"}]}', /attendees\[0\]\.id must be 1-20 lowercase letters.*got "Alice"/],
    ['{"attendees": [{"id": ""}]}', /attendees\[0\]\.id must be 1-20 lowercase/],
    ['{"attendees": [{"id": "a-"}]}', /got "a-"/],
    [
      '{"attendees": [{"id": "a"}, {"id": "b"}, {"id": "a"}]}',
      /attendees\[2\]\.id "a" is already the id of attendees\[0\]$/,
    ],
    [
      '{"attendees": [{"id": "a", "account": "1234"}]}',
      /attendees\[0\]\.account must be a 12-digit account id in quotes, got "1234"/,
    ],
    [
      '{"attendees": [{"id": "a", "account": 111111111111}]}',
      /account must be a 12-digit account id in quotes, got 111111111111/,
    ],
    [
      '{"attendees": [{"id": "a", "region": "Virginia"}]}',
      /attendees\[0\]\.region must be a region code such as "us-east-1", got "Virginia"/,
    ],
    [
      '{"attendees": [{"id": "a"}], "prefixNames": "never"}',
      /w\.json: prefixNames must be "shared-accounts" or "always", got "never"/,
    ],
    [
      '{"attendees": [{"id": "a"}], "durationHours": 0}',
      /w\.json: durationHours must be a positive number, got 0/,
    ],
    ['{"attendees": [{"id": "a"}], "settings": {"prefix": "x"}}', /w\.json: settings: unknown key "prefix"/],
    [
      '{"attendees": [{"id": "a"}], "settings": {"weblogs": [true]}}',
      /settings\.weblogs must be a string, number or boolean/,
    ],
    ['{"attendees": [{"id": "a"}], "name": ""}', /w\.json: name must be a non-empty string, got ""/],
  ])('rejects %s', (text, message) => {
    expect(() => parseWorkshop(text, 'w.json')).toThrow(WorkshopFileError);
    expect(() => parseWorkshop(text, 'w.json')).toThrow(message);
  });

  it('reports a syntax error with its line, on one line', () => {
    const error = (() => {
      try {
        parseWorkshop('attendees:\n  - id: alice\n  - id: [bob\n', 'w.yaml');
        return undefined;
      } catch (e) {
        return e as Error;
      }
    })();
    expect(error).toBeInstanceOf(WorkshopFileError);
    expect(error!.message).toMatch(/^w\.yaml: .*line \d+, column \d+$/);
    expect(error!.message).not.toContain('\n');
    expect(() => parseWorkshop('attendees:\n  - id: a\n  - id: a\nattendees: []\n', 'w.yaml')).toThrow(
      /w\.yaml: Map keys must be unique at line 4/,
    );
  });

  it('reads a file, saying so when it is not there', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'workshop-'));
    try {
      const file = path.join(dir, 'w.yaml');
      writeFileSync(file, 'attendees:\n  - id: alice\n');
      expect(readWorkshopFile(file)).toEqual({ attendees: [{ id: 'alice' }] });
      expect(() => readWorkshopFile(path.join(dir, 'missing.json'))).toThrow(
        /^Cannot read workshop file .*missing\.json: no such file$/,
      );
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('reads the example file', () => {
    const spec = readWorkshopFile(path.join(__dirname, '..', '..', 'examples', 'workshop.json'));
    expect(spec.attendees.map((a) => a.id)).toEqual(['alice', 'bob', 'carol']);
  });
});

describe('planWorkshop', () => {
  const plan = (spec: WorkshopSpec, env = {}) =>
    planWorkshop(spec, env).map((a) => [a.id, a.prefix, a.account, a.region]);

  it('prefixes attendees who share an account and keeps the seed names for one alone', () => {
    const spec = {
      attendees: [
        { id: 'alice', account: '111111111111', region: 'us-east-1' },
        { id: 'bob', account: '111111111111', region: 'us-west-2' },
        { id: 'carol', account: '222222222222', region: 'eu-west-1' },
      ],
    };
    expect(plan(spec)).toEqual([
      ['alice', 'alice', '111111111111', 'us-east-1'],
      ['bob', 'bob', '111111111111', 'us-west-2'],
      ['carol', '', '222222222222', 'eu-west-1'],
    ]);
  });

  it('prefixes everyone who may share the facilitator account (no account given)', () => {
    const spec = { attendees: [{ id: 'a' }, { id: 'b', account: '222222222222' }] };
    expect(plan(spec)).toEqual([
      ['a', 'a', undefined, undefined],
      ['b', 'b', '222222222222', undefined],
    ]);
    // The decision reads the file only: the credentials' account does not change names.
    expect(plan(spec, { CDK_DEFAULT_ACCOUNT: '999999999999', CDK_DEFAULT_REGION: 'eu-central-1' })).toEqual([
      ['a', 'a', '999999999999', 'eu-central-1'],
      ['b', 'b', '222222222222', 'eu-central-1'],
    ]);
  });

  it('keeps the seed names for a workshop of one, and prefixes everyone on request', () => {
    expect(plan({ attendees: [{ id: 'solo' }] })).toEqual([['solo', '', undefined, undefined]]);
    expect(plan({ attendees: [{ id: 'solo' }], prefixNames: 'always' })).toEqual([
      ['solo', 'solo', undefined, undefined],
    ]);
  });

  it('names every stack after its attendee, so stack names are unique across accounts', () => {
    const [alice] = planWorkshop({ attendees: [ALICE] });
    expect(alice).toEqual({
      ...ALICE,
      prefix: '',
      stageId: 'alice',
      stackName: 'WildRydes-alice',
      weblogStackName: 'WildRydes-alice-Weblogs',
    });
    expect(attendeeStackName('bob')).toBe('WildRydes-bob');
  });
});
