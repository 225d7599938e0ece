import {
  decodeSensorReading,
  dedupe,
  isAlert,
  isDuplicate,
  parseSensorCsvLine,
  parseSensorReading,
  sensorCsvLine,
  sensorFingerprint,
  splitCsvLines,
  splitCsvRecord,
  type DedupCandidate,
  type SensorReading,
} from '#core/sensor';

const reading = (overrides: Partial<SensorReading> = {}): SensorReading => ({
  sensorId: 'sensor-7',
  eventTimestamp: 1_795_400_000_123,
  ambientTemp: 21,
  measuredTemp: 48.5,
  status: 'OK',
  ...overrides,
});

describe('parseSensorReading', () => {
  it('accepts a reading and keeps it as it is', () => {
    expect(parseSensorReading(reading())).toEqual({ ok: true, value: reading() });
  });

  it('normalizes numeric ids, ISO times, currentTemperature and empty statuses', () => {
    expect(
      parseSensorReading({
        sensorId: 40,
        eventTimestamp: '2026-11-22T10:00:00.250+01:00',
        ambientTemp: 20,
        currentTemperature: 76,
        status: '',
        extra: 'ignored',
      }),
    ).toEqual({
      ok: true,
      value: {
        sensorId: '40',
        eventTimestamp: Date.UTC(2026, 10, 22, 9, 0, 0, 250),
        ambientTemp: 20,
        measuredTemp: 76,
      },
    });
  });

  it.each([
    [[1], /not a JSON object/],
    [{ ...reading(), sensorId: '' }, /sensorId must be 1 to 128 characters/],
    [{ ...reading(), sensorId: 'x'.repeat(129) }, /sensorId must be 1 to 128/],
    [{ ...reading(), sensorId: -1 }, /sensorId must be a string or a whole number/],
    [{ ...reading(), sensorId: undefined }, /sensorId must be/],
    [{ ...reading(), eventTimestamp: 1.5 }, /eventTimestamp must be milliseconds/],
    [{ ...reading(), eventTimestamp: '2026-11-22 10:00:00' }, /eventTimestamp must be milliseconds/],
    [{ ...reading(), eventTimestamp: '2026-13-45T10:00:00Z' }, /eventTimestamp/],
    [{ ...reading(), ambientTemp: '21' }, /ambientTemp must be a number/],
    [{ ...reading(), measuredTemp: null }, /measuredTemp must be a number/],
    [{ ...reading(), measuredTemp: -300 }, /measuredTemp must be at least -273.15, got -300/],
    [{ ...reading(), status: 5 }, /status must be a string/],
  ])('rejects %p', (value, reason) => {
    const parsed = parseSensorReading(value);
    expect(parsed.ok).toBe(false);
    expect(!parsed.ok && parsed.reason).toMatch(reason);
  });

  it('decodes base64 JSON and says why it cannot', () => {
    const b64 = (text: string) => Buffer.from(text).toString('base64');
    expect(decodeSensorReading(b64(JSON.stringify(reading())))).toEqual({ ok: true, value: reading() });
    expect(decodeSensorReading(b64('{"sensorId":'))).toMatchObject({ ok: false, reason: /not JSON/ });
  });
});

describe('the temperature filter', () => {
  it('keeps readings whose measured and ambient temperatures differ by more than 20, either way', () => {
    expect(isAlert(reading({ ambientTemp: 20, measuredTemp: 40.1 }))).toBe(true);
    expect(isAlert(reading({ ambientTemp: 20, measuredTemp: -0.5 }))).toBe(true);
    expect(isAlert(reading({ ambientTemp: 20, measuredTemp: 40 }))).toBe(false); // exactly 20 is not more
    expect(isAlert(reading({ ambientTemp: 20, measuredTemp: 0 }))).toBe(false);
    expect(isAlert(reading({ ambientTemp: 20, measuredTemp: 25 }))).toBe(false);
  });
});

describe('dedup', () => {
  it('fingerprints sensor, event time and every value, and nothing else', () => {
    const base = sensorFingerprint(reading());
    expect(sensorFingerprint({ ...reading() })).toBe(base);
    const withExtra = parseSensorReading({ ...reading(), location: 'roof' });
    expect(withExtra.ok && sensorFingerprint(withExtra.value)).toBe(base);
    for (const change of [
      { sensorId: 'sensor-8' },
      { eventTimestamp: 1_795_400_000_124 },
      { ambientTemp: 21.5 },
      { measuredTemp: 48 },
      { status: 'WARN' },
    ]) {
      expect(sensorFingerprint(reading(change))).not.toBe(base);
    }
    expect(base).toMatch(/^[A-Za-z0-9_-]{43}$/);
  });

  it('a record is a duplicate of the one kept when it arrives within a second of it, before or after', () => {
    const kept = { eventId: 's:1', arrival: 10_000 };
    expect(isDuplicate(kept, { eventId: 's:2', arrival: 10_999 })).toBe(true);
    expect(isDuplicate(kept, { eventId: 's:2', arrival: 11_000 })).toBe(true);
    expect(isDuplicate(kept, { eventId: 's:2', arrival: 11_001 })).toBe(false);
    expect(isDuplicate(kept, { eventId: 's:2', arrival: 9_500 })).toBe(true);
    expect(isDuplicate(undefined, { eventId: 's:2', arrival: 10_000 })).toBe(false);
    // The same record seen again (a retried batch) is never its own duplicate.
    expect(isDuplicate(kept, { eventId: 's:1', arrival: 10_000 })).toBe(false);
  });

  const candidate = (fingerprint: string, seq: number, arrival: number): DedupCandidate => ({
    fingerprint,
    eventId: `shardId-000000000000:${seq}`,
    arrival,
  });

  it('drops repeats within a batch against the last kept record, and reports what to remember', () => {
    const batch = [
      candidate('a', 1, 1000),
      candidate('b', 2, 1100),
      candidate('a', 3, 1400), // retry of 1
      candidate('a', 4, 1990), // still within a second of 1
      candidate('a', 5, 2600), // 1.6 s after the kept one: a new reading
      candidate('a', 6, 3000), // within a second of 5
    ];
    const out = dedupe(new Map(), batch);
    expect(out.unique.map((c) => c.eventId.split(':')[1])).toEqual(['1', '2', '5']);
    expect(out.duplicates.map((c) => c.eventId.split(':')[1])).toEqual(['3', '4', '6']);
    expect(out.kept).toEqual(
      new Map([
        ['a', { eventId: 'shardId-000000000000:5', arrival: 2600 }],
        ['b', { eventId: 'shardId-000000000000:2', arrival: 1100 }],
      ]),
    );
  });

  it('compares with readings kept by earlier batches, and decides a replayed batch the same way', () => {
    const seen = new Map([['a', { eventId: 'shardId-000000000000:1', arrival: 1000 }]]);
    const batch = [candidate('a', 2, 1800), candidate('a', 3, 2100), candidate('b', 4, 2100)];
    const first = dedupe(seen, batch);
    expect(first.unique.map((c) => c.eventId)).toEqual(['shardId-000000000000:3', 'shardId-000000000000:4']);
    // Replay after a failure: the store now holds what the first attempt remembered.
    const replay = dedupe(new Map([...seen, ...first.kept]), batch);
    expect(replay.unique).toEqual(first.unique);
    expect(replay.duplicates).toEqual(first.duplicates);
  });
});

describe('CSV', () => {
  it('writes one line per reading in column order and reads it back exactly', () => {
    const r = reading({ measuredTemp: 0.1 + 0.2, ambientTemp: -12.25 });
    const line = sensorCsvLine(r);
    expect(line).toBe('sensor-7,1795400000123,-12.25,0.30000000000000004,OK\n');
    expect(parseSensorCsvLine(line.trimEnd())).toEqual({ ok: true, value: r });
  });

  it('quotes ids with commas, quotes and line breaks, and reads them back', () => {
    const r = reading({ sensorId: 'hall "B", floor 2\nnorth', status: undefined });
    const text = sensorCsvLine(r) + sensorCsvLine(reading());
    expect(text.startsWith('"hall ""B"", floor 2\nnorth",')).toBe(true);
    const lines = splitCsvLines(text);
    expect(lines).toHaveLength(2);
    expect(lines.map(parseSensorCsvLine)).toEqual([
      { ok: true, value: r },
      { ok: true, value: reading() },
    ]);
  });

  it('splits records and reports what is not one of ours', () => {
    expect(splitCsvRecord('a,,"b,c",')).toEqual(['a', '', 'b,c', '']);
    expect(() => splitCsvRecord('"open')).toThrow(/unterminated/);
    expect(() => splitCsvRecord('"a"b')).toThrow(/expected a comma at character 4/);
    expect(splitCsvLines('a\r\nb\n')).toEqual(['a', 'b']);
    expect(parseSensorCsvLine('a,b')).toMatchObject({ ok: false, reason: /expected 5 columns, got 2/ });
    expect(parseSensorCsvLine('s,x,1,2,OK')).toMatchObject({ ok: false, reason: /eventTimestamp/ });
    expect(parseSensorCsvLine('"s,1,1,2,OK')).toMatchObject({ ok: false, reason: /not a CSV line/ });
  });
});
