import {
  APACHE_LOG_FIELDS,
  formatApacheTime,
  formatCombinedLogLine,
  generateAccessLog,
  matchApacheLog,
  parseApacheLog,
} from '#core/apache-log';

const COMMON = '127.0.0.1 - frank [10/Oct/2000:13:55:36 -0700] "GET /apache_pb.gif HTTP/1.0" 200 2326';
const COMBINED = `${COMMON} "http://www.example.com/start.html" "Mozilla/4.08 [en] (Win98; I ;Nav)"`;

describe('Apache log parsing', () => {
  it("names the fields as the Kinesis Agent's ApacheLogParser does", () => {
    // Its COMMON_LOG_FIELDS, and COMBINED_LOG_FIELDS: those, then referer and agent.
    const common = ['host', 'ident', 'authuser', 'datetime', 'request', 'response', 'bytes'];
    expect(APACHE_LOG_FIELDS).toEqual({
      COMMONAPACHELOG: common,
      COMBINEDAPACHELOG: [...common, 'referer', 'agent'],
    });
  });

  it('turns a common log line into the agent fields, with - as null', () => {
    expect(parseApacheLog(COMMON, 'COMMONAPACHELOG')).toEqual({
      ok: true,
      value: {
        host: '127.0.0.1',
        ident: null,
        authuser: 'frank',
        datetime: '10/Oct/2000:13:55:36 -0700',
        request: 'GET /apache_pb.gif HTTP/1.0',
        response: '200',
        bytes: '2326',
      },
    });
  });

  it('turns a combined log line into the nine agent fields, in order', () => {
    const parsed = parseApacheLog(COMBINED, 'COMBINEDAPACHELOG');
    expect(parsed.ok && Object.keys(parsed.value)).toEqual(APACHE_LOG_FIELDS.COMBINEDAPACHELOG);
    expect(parsed).toMatchObject({
      value: { referer: 'http://www.example.com/start.html', agent: 'Mozilla/4.08 [en] (Win98; I ;Nav)' },
    });
  });

  it('reads a combined line as common (the extra fields are ignored), as the agent does', () => {
    expect(parseApacheLog(COMBINED, 'COMMONAPACHELOG')).toMatchObject({ ok: true, value: { bytes: '2326' } });
  });

  it('accepts what Apache writes and strict patterns reject: IPv6, empty quotes, escaped quotes, - bytes', () => {
    const line =
      '2001:db8::1 - - [05/Jun/2017:09:17:00 +0000] "GET /q?x=\\"1\\" HTTP/1.1" 304 - "" "curl/8.5.0" 1532';
    expect(parseApacheLog(line, 'COMBINEDAPACHELOG')).toEqual({
      ok: true,
      value: {
        host: '2001:db8::1',
        ident: null,
        authuser: null,
        datetime: '05/Jun/2017:09:17:00 +0000',
        request: 'GET /q?x=\\"1\\" HTTP/1.1',
        response: '304',
        bytes: null,
        referer: '',
        agent: 'curl/8.5.0',
      },
    });
  });

  it('takes a trailing newline or carriage return in its stride', () => {
    expect(parseApacheLog(`${COMMON}\n`, 'COMMONAPACHELOG').ok).toBe(true);
    expect(parseApacheLog(`${COMBINED}\r`, 'COMBINEDAPACHELOG').ok).toBe(true);
  });

  it.each([
    ['not a log line', 'GET /index.html HTTP/1.1'],
    ['cut short', '203.0.113.9 - - [05/Jun/2017:09:17:00 +0000] "GET /ride.html'],
    ['a bad month', '127.0.0.1 - - [10/Foo/2000:13:55:36 -0700] "GET / HTTP/1.0" 200 1'],
    ['a bad status', '127.0.0.1 - - [10/Oct/2000:13:55:36 -0700] "GET / HTTP/1.0" OK 1'],
    ['junk glued to the size', '127.0.0.1 - - [10/Oct/2000:13:55:36 -0700] "GET / HTTP/1.0" 200 12ab'],
    ['common line read as combined', COMMON],
  ])('rejects %s with a readable reason', (_, line) => {
    const parsed = matchApacheLog(line, 'COMBINEDAPACHELOG');
    expect(parsed.ok).toBe(false);
    expect(!parsed.ok && parsed.reason).toMatch(/Apache combined log line|month/);
  });

  it('uses custom field names in place of the agent ones', () => {
    const names = ['ip', 'id', 'user', 'time', 'req', 'status', 'size'];
    expect(parseApacheLog(COMMON, 'COMMONAPACHELOG', names)).toMatchObject({
      value: { ip: '127.0.0.1', status: '200', size: '2326' },
    });
  });
});

describe('access log generator', () => {
  const start = Date.UTC(2017, 5, 5, 9, 17, 0);

  it('writes Apache time in UTC', () => {
    expect(formatApacheTime(start)).toBe('05/Jun/2017:09:17:00 +0000');
  });

  it('formats an entry as combined log, escaping quotes, - for what is absent', () => {
    const line = formatCombinedLogLine({
      host: '192.0.2.1',
      time: start,
      method: 'GET',
      path: '/a"b',
      status: 304,
      bytes: null,
      referer: null,
      agent: 'x',
    });
    expect(line).toBe('192.0.2.1 - - [05/Jun/2017:09:17:00 +0000] "GET /a\\"b HTTP/1.1" 304 - "-" "x"');
    expect(parseApacheLog(line, 'COMBINEDAPACHELOG')).toMatchObject({ ok: true, value: { bytes: null } });
  });

  it('is a pure function of its seed, with times that never go back', () => {
    const a = generateAccessLog({ count: 200, start, seed: 7 });
    expect(generateAccessLog({ count: 200, start, seed: 7 })).toEqual(a);
    expect(generateAccessLog({ count: 200, start, seed: 8 })).not.toEqual(a);
    const times = a.map((line) => {
      const parsed = parseApacheLog(line, 'COMBINEDAPACHELOG');
      if (!parsed.ok) throw new Error(parsed.reason);
      return parsed.value.datetime!;
    });
    expect(times[0]).toBe('05/Jun/2017:09:17:00 +0000');
    const seconds = times.map((t) => Date.parse(t.replace(':', ' ').replace(/\//g, ' ')));
    expect(seconds.slice(1).every((s, i) => s >= seconds[i])).toBe(true);
  });

  it('looks like real traffic: mostly 200s, some 304s and 404s, several clients', () => {
    const records = generateAccessLog({ count: 2000, start, meanIntervalMs: 100 }).map((line) => {
      const parsed = parseApacheLog(line, 'COMBINEDAPACHELOG');
      if (!parsed.ok) throw new Error(parsed.reason);
      return parsed.value;
    });
    const count = (status: string) => records.filter((r) => r.response === status).length;
    expect(count('200')).toBeGreaterThan(1200);
    expect(count('304')).toBeGreaterThan(50);
    expect(count('404')).toBeGreaterThan(10);
    expect(new Set(records.map((r) => r.host)).size).toBeGreaterThan(20);
    expect(records.some((r) => r.host?.includes(':'))).toBe(true);
  });

  it('makes every Nth line malformed on request, and only those', () => {
    const lines = generateAccessLog({ count: 30, start, malformedEvery: 10 });
    const bad = lines.filter((line) => !parseApacheLog(line, 'COMBINEDAPACHELOG').ok);
    expect(bad).toEqual([lines[9], lines[19], lines[29]]);
  });
});
