import { parseAgentConfig, type DataProcessingOption } from '../../agent/config';
import { buildConverter, splitCsv, type ConvertContext } from '../../agent/convert';

/** The options as the configuration reader makes them (defaults filled in). */
function options(...raw: object[]): readonly DataProcessingOption[] {
  const { config } = parseAgentConfig(
    { flows: [{ filePattern: '/var/log/app.log', kinesisStream: 's', dataProcessingOptions: raw }] },
    { env: {} },
  );
  return config.flows[0].dataProcessingOptions;
}
const convert = (record: string, context: ConvertContext, ...raw: object[]) =>
  buildConverter(options(...raw), context)(record);
/** The record each option chain makes of a line, parsed back from its JSON. */
const json = (line: string, ...raw: object[]) => {
  const result = convert(`${line}\n`, {}, ...raw);
  if (!result.ok) throw new Error(result.reason);
  expect(result.value.endsWith('\n')).toBe(true);
  return JSON.parse(result.value) as unknown;
};

describe('LOGTOJSON', () => {
  // The examples of the agent's documentation ("Use the agent to pre-process data").
  const COMMON =
    '64.242.88.10 - - [07/Mar/2004:16:10:02 -0800] "GET /mailman/listinfo/hsdivision HTTP/1.1" 200 6291';

  it('turns an Apache Common Log entry into the documented fields, - as null', () => {
    expect(convert(`${COMMON}\n`, {}, { optionName: 'LOGTOJSON', logFormat: 'COMMONAPACHELOG' })).toEqual({
      ok: true,
      value:
        '{"host":"64.242.88.10","ident":null,"authuser":null,"datetime":"07/Mar/2004:16:10:02 -0800","request":"GET /mailman/listinfo/hsdivision HTTP/1.1","response":"200","bytes":"6291"}\n',
    });
  });

  it('names the fields customFieldNames gives', () => {
    const names = ['f1', 'f2', 'f3', 'f4', 'f5', 'f6', 'f7'];
    expect(
      json(COMMON, { optionName: 'LOGTOJSON', logFormat: 'COMMONAPACHELOG', customFieldNames: names }),
    ).toEqual({
      f1: '64.242.88.10',
      f2: null,
      f3: null,
      f4: '07/Mar/2004:16:10:02 -0800',
      f5: 'GET /mailman/listinfo/hsdivision HTTP/1.1',
      f6: '200',
      f7: '6291',
    });
  });

  it('extracts the groups of a matchPattern, for lines in a custom format', () => {
    const option = {
      optionName: 'LOGTOJSON',
      logFormat: 'COMMONAPACHELOG',
      matchPattern: '^([\\d.]+) (\\S+) (\\S+) \\[([\\w:/]+\\s[+\\-]\\d{4})\\] "(.+?)" (\\d{3})',
      customFieldNames: ['host', 'ident', 'authuser', 'datetime', 'request', 'response'],
    };
    expect(
      json(
        '123.45.67.89 - - [27/Oct/2000:09:27:09 -0400] "GET /java/javaResources.html HTTP/1.0" 200',
        option,
      ),
    ).toEqual({
      host: '123.45.67.89',
      ident: null,
      authuser: null,
      datetime: '27/Oct/2000:09:27:09 -0400',
      request: 'GET /java/javaResources.html HTTP/1.0',
      response: '200',
    });
    // Like Java's Matcher.matches, the pattern must match the whole line.
    expect(
      convert('123.45.67.89 - - [27/Oct/2000:09:27:09 -0400] "GET / HTTP/1.0" 200 512\n', {}, option),
    ).toMatchObject({ ok: false });
  });

  it('reads the Apache Combined Log Format, with the referer and agent', () => {
    const line = `${COMMON} "http://www.example.com/start.html" "Mozilla/4.08 [en] (Win98; I ;Nav)"`;
    expect(json(line, { optionName: 'LOGTOJSON', logFormat: 'COMBINEDAPACHELOG' })).toMatchObject({
      host: '64.242.88.10',
      bytes: '6291',
      referer: 'http://www.example.com/start.html',
      agent: 'Mozilla/4.08 [en] (Win98; I ;Nav)',
    });
  });

  it('reads the Apache error log: [timestamp] [module:severity] [pid:tid] [client] message', () => {
    const option = { optionName: 'LOGTOJSON', logFormat: 'APACHEERRORLOG' };
    expect(
      json(
        '[Fri Sep 09 10:42:29.902022 2011] [core:error] [pid 35708:tid 4328636416] [client 72.15.99.187] File does not exist: /usr/local/apache2/htdocs/favicon.ico',
        option,
      ),
    ).toEqual({
      timestamp: 'Fri Sep 09 10:42:29.902022 2011',
      module: 'core',
      severity: 'error',
      processid: '35708',
      threadid: '4328636416',
      client: '72.15.99.187',
      message: 'File does not exist: /usr/local/apache2/htdocs/favicon.ico',
    });
    // Apache 2.2 writes no module, process or thread.
    expect(
      json(
        '[Wed Oct 11 14:32:52 2000] [error] [client 127.0.0.1] client denied by server configuration: /export/home/live/ap/htdocs/test',
        option,
      ),
    ).toEqual({
      timestamp: 'Wed Oct 11 14:32:52 2000',
      module: null,
      severity: 'error',
      processid: null,
      threadid: null,
      client: '127.0.0.1',
      message: 'client denied by server configuration: /export/home/live/ap/htdocs/test',
    });
  });

  it('reads syslog lines: timestamp hostname program[processid]: message', () => {
    const option = { optionName: 'LOGTOJSON', logFormat: 'SYSLOG' };
    expect(
      json(
        "Mar 12 12:00:08 server2 rcd[308]: Loaded 12 packs in 'ximian-red-carpet|351' (0.01878 seconds)",
        option,
      ),
    ).toEqual({
      timestamp: 'Mar 12 12:00:08',
      hostname: 'server2',
      program: 'rcd',
      processid: '308',
      message: "Loaded 12 packs in 'ximian-red-carpet|351' (0.01878 seconds)",
    });
    expect(json('Jun  5 09:17:00 web1 kernel: eth0: link up', option)).toMatchObject({
      program: 'kernel',
      processid: null,
    });
  });

  it('reads syslog lines with an RFC 3339 time stamp', () => {
    expect(
      json('2017-06-05T09:17:00.123+02:00 web1 sshd[4242]: Accepted publickey for ec2-user', {
        optionName: 'LOGTOJSON',
        logFormat: 'RFC3339SYSLOG',
      }),
    ).toEqual({
      timestamp: '2017-06-05T09:17:00.123+02:00',
      hostname: 'web1',
      program: 'sshd',
      processid: '4242',
      message: 'Accepted publickey for ec2-user',
    });
  });

  it('skips a line its format does not match, or sends it raw with malformedLines SEND_RAW', () => {
    const option = { optionName: 'LOGTOJSON', logFormat: 'SYSLOG' };
    expect(convert('not a log line\n', {}, option)).toMatchObject({ ok: false, action: 'SKIP' });
    expect(convert('not a log line\n', {}, { ...option, malformedLines: 'SEND_RAW' })).toMatchObject({
      ok: false,
      action: 'SEND_RAW',
    });
  });

  it('pretty-prints with jsonFormat PRETTYPRINT', () => {
    const result = convert(
      `${COMMON}\n`,
      {},
      { optionName: 'LOGTOJSON', logFormat: 'COMMONAPACHELOG', jsonFormat: 'PRETTYPRINT' },
    );
    expect(result.ok && result.value).toContain('\n  "host": "64.242.88.10",\n');
  });
});

describe('CSVTOJSON', () => {
  it('names each value, comma-separated by default', () => {
    expect(json('v1,v2', { optionName: 'CSVTOJSON', customFieldNames: ['f1', 'f2'] })).toEqual({
      f1: 'v1',
      f2: 'v2',
    });
  });

  it('takes the delimiter with Java escapes, gives missing values null and leaves extra ones out', () => {
    const option = {
      optionName: 'CSVTOJSON',
      customFieldNames: ['field1', 'field2', 'field3'],
      delimiter: '\\t',
    };
    expect(json('a\tb\tc', option)).toEqual({ field1: 'a', field2: 'b', field3: 'c' });
    expect(json('a\tb', option)).toEqual({ field1: 'a', field2: 'b', field3: null });
    expect(json('a\tb\tc\td', option)).toEqual({ field1: 'a', field2: 'b', field3: 'c' });
    expect(json('a||c', { ...option, delimiter: '||' })).toEqual({ field1: 'a', field2: 'c', field3: null });
  });

  it('keeps quoted values whole', () => {
    expect(splitCsv('1,"Smith, Jane","said ""hi"" \\"twice\\"",', ',')).toEqual({
      ok: true,
      value: ['1', 'Smith, Jane', 'said "hi" "twice"', ''],
    });
    expect(splitCsv('1,"open', ',')).toMatchObject({ ok: false });
  });
});

describe('the other options', () => {
  it('SINGLELINE joins the lines of a record, each without its leading and trailing spaces', () => {
    expect(
      convert('[SEQUENCE=2]\tlogin\tfailed:\n   bad password  \n', {}, { optionName: 'SINGLELINE' }),
    ).toEqual({
      ok: true,
      value: '[SEQUENCE=2]\tlogin\tfailed:bad password\n',
    });
  });

  it('ADDMETADATA wraps the record with the metadata, and the time with timestamp', () => {
    const now = () => Date.UTC(2017, 5, 5, 9, 17, 0, 123);
    const result = convert(
      'GET /index.html\n',
      { now },
      { optionName: 'ADDMETADATA', timestamp: 'true', metadata: { site: 'wildrydes' } },
    );
    expect(result).toEqual({
      ok: true,
      value: '{"ts":"2017-06-05T09:17:00.123Z","metadata":{"site":"wildrydes"},"data":"GET /index.html"}\n',
    });
    expect(json('x', { optionName: 'ADDMETADATA', metadata: 'web' })).toEqual({ metadata: 'web', data: 'x' });
  });

  it('ADDEC2METADATA adds the instance metadata to a JSON record', () => {
    const ec2Metadata = () => ({ ec2_instanceId: 'i-0123456789abcdef0', ec2_region: 'eu-west-1' });
    const chain = [
      { optionName: 'CSVTOJSON', customFieldNames: ['a', 'b'] },
      { optionName: 'ADDEC2METADATA', metadataFields: ['instanceId', 'region'], metadataPrefix: 'ec2_' },
    ];
    expect(convert('1,2\n', { ec2Metadata }, ...chain)).toEqual({
      ok: true,
      value: '{"a":"1","b":"2","ec2_instanceId":"i-0123456789abcdef0","ec2_region":"eu-west-1"}\n',
    });
    expect(convert('plain text\n', { ec2Metadata }, chain[1])).toMatchObject({ ok: false, action: 'SKIP' });
  });

  it('ADDEC2METADATA sends a record unchanged where there is no metadata, as the Java agent does', () => {
    expect(convert('{"a":1}\n', {}, { optionName: 'ADDEC2METADATA' })).toEqual({
      ok: true,
      value: '{"a":1}\n',
    });
  });

  it('ADDBRACKETS wraps the record, newline included, in braces', () => {
    expect(convert('hello there\n', {}, { optionName: 'ADDBRACKETS' })).toEqual({
      ok: true,
      value: '{hello there\n}',
    });
  });
});
