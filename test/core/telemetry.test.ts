import { decodeUnicornStatus, parseUnicornStatus, UNICORN_STATUS_FIELDS } from '#core/telemetry';
import { unicornStatus } from '../../lambda/shared/kinesis-events';

const b64 = (text: string | Buffer) => Buffer.from(text).toString('base64');

describe('unicorn status schema', () => {
  it('accepts a well-formed record as it is', () => {
    const status = unicornStatus();
    expect(parseUnicornStatus(status)).toEqual({ ok: true, value: status });
  });

  it('lists the seven workshop fields in order', () => {
    expect(UNICORN_STATUS_FIELDS.map((f) => f.name)).toEqual([
      'Name',
      'StatusTime',
      'Latitude',
      'Longitude',
      'Distance',
      'MagicPoints',
      'HealthPoints',
    ]);
  });

  it.each([
    [{ Name: 42 }, /Name must be a string/],
    [{ Name: '' }, /Name must be 1 to 256/],
    [{ Name: 'x'.repeat(257) }, /Name must be 1 to 256/],
    [{ StatusTime: 'yesterday' }, /StatusTime must look like/],
    [{ Latitude: '40.7' }, /Latitude must be a number/],
    [{ Latitude: 91 }, /Latitude must be at most 90/],
    [{ Longitude: -181 }, /Longitude must be at least -180/],
    [{ Distance: -1 }, /Distance must be at least 0/],
    [{ MagicPoints: 1.5 }, /MagicPoints must be a whole number/],
    [{ HealthPoints: null }, /HealthPoints must be a number/],
  ])('rejects %p with a reason', (override, reason) => {
    const result = parseUnicornStatus({ ...unicornStatus(), ...override });
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.reason).toMatch(reason);
  });

  it('rejects a missing field', () => {
    const { MagicPoints: _omitted, ...rest } = unicornStatus();
    expect(parseUnicornStatus(rest)).toEqual({ ok: false, reason: 'MagicPoints must be a number' });
  });

  it.each([[[]], [null], ['text'], [7]])('rejects non-object JSON %p', (value) => {
    expect(parseUnicornStatus(value)).toEqual({ ok: false, reason: 'record is not a JSON object' });
  });

  it('decodes base64 JSON data', () => {
    const status = unicornStatus({ Name: 'Bucephalus' });
    expect(decodeUnicornStatus(b64(JSON.stringify(status)))).toEqual({ ok: true, value: status });
  });

  it('rejects data that is not JSON, quoting its start', () => {
    const result = decodeUnicornStatus(b64('not json at all'));
    expect(result).toEqual({ ok: false, reason: 'data is not JSON: not json at all' });
  });

  it('rejects invalid UTF-8 instead of mangling it', () => {
    const result = decodeUnicornStatus(b64(Buffer.from([0x7b, 0xff, 0xfe, 0x7d])));
    expect(result).toEqual({ ok: false, reason: 'data is not valid UTF-8' });
  });

  it('keeps non-ASCII names intact', () => {
    const status = unicornStatus({ Name: 'Épona 🦄' });
    expect(decodeUnicornStatus(b64(JSON.stringify(status)))).toEqual({ ok: true, value: status });
  });
});
