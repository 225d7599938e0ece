import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { ConfigError, FLOW_DEFAULTS, parseAgentConfig, readAgentConfig } from '../../agent/config';
import { ROOT } from '../support/run-command';

const env = { HOME: '/home/alice' };
const flow = { filePattern: '/var/log/httpd/access_log*', kinesisStream: 'weblogs' };
const parse = (raw: object) => parseAgentConfig(raw, { baseDir: '/etc/aws-kinesis', env });
const problems = (raw: object): string[] => {
  try {
    parse(raw);
  } catch (error) {
    if (error instanceof ConfigError) return [...error.problems];
    throw error;
  }
  throw new Error('no ConfigError');
};

describe('agent configuration', () => {
  it('reads a Kinesis Agent configuration unchanged, with the Java agent defaults', () => {
    // The shape of the agent's documented example: empty endpoints, CloudWatch switched on.
    const { config, warnings } = parse({
      'cloudwatch.emitMetrics': true,
      'kinesis.endpoint': '',
      'firehose.endpoint': '',
      flows: [{ ...flow, partitionKeyOption: 'RANDOM' }],
    });
    expect(config.flows).toEqual([
      {
        id: 'kinesis:weblogs:/var/log/httpd/access_log*',
        filePattern: '/var/log/httpd/access_log*',
        directory: '/var/log/httpd',
        fileGlob: 'access_log*',
        kinesisStream: 'weblogs',
        partitionKeyOption: 'RANDOM',
        initialPosition: 'END_OF_FILE',
        ...FLOW_DEFAULTS,
        dataProcessingOptions: [],
      },
    ]);
    expect(config.kinesisEndpoint).toBeUndefined();
    expect(config.statusReportingPeriodSeconds).toBe(30);
    expect(warnings).toEqual([
      'ignored (Java agent settings log-agent does not need): cloudwatch.emitMetrics',
    ]);
  });

  it('keeps checkpoints where a reboot does not clear them, unless told otherwise', () => {
    expect(parse({ flows: [flow] }).config.checkpointFile).toBe(
      '/home/alice/.local/state/log-agent/checkpoints.json',
    );
    const xdg = parseAgentConfig({ flows: [flow] }, { env: { XDG_STATE_HOME: '/var/lib/state' } });
    expect(xdg.config.checkpointFile).toBe('/var/lib/state/log-agent/checkpoints.json');
    const volatile = parse({ checkpointFile: '/var/run/aws-kinesis-agent/checkpoints', flows: [flow] });
    expect(volatile.warnings).toEqual([expect.stringMatching(/cleared at boot.*sent again/)]);
  });

  it('reads every setting it uses, numbers written as strings included', () => {
    const { config } = parse({
      checkpointFile: 'state/checkpoints',
      'kinesis.endpoint': 'https://kinesis.eu-west-1.amazonaws.com',
      'kinesis.region': 'eu-west-1',
      awsAccessKeyId: 'AKIDEXAMPLE',
      awsSecretAccessKey: 'secret',
      'log.statusReportingPeriodSeconds': '10',
      shutdownTimeoutMillis: 2000,
      checkpointTimeToLiveDays: 3,
      flows: [
        {
          filePattern: 'logs/app-*.log',
          kinesisStream: 'app',
          partitionKeyOption: 'deterministic',
          initialPosition: 'START_OF_FILE',
          maxBufferAgeMillis: '1000',
          maxBufferSizeRecords: 100,
          maxBufferSizeBytes: 65536,
          minTimeBetweenFilePollsMillis: 50,
          retryInitialBackoffMillis: 10,
          retryMaxBackoffMillis: 100,
          truncatedRecordTerminator: '…\n',
          dataProcessingOptions: [
            { optionName: 'SINGLELINE' },
            {
              optionName: 'LOGTOJSON',
              logFormat: 'COMMONAPACHELOG',
              customFieldNames: ['a', 'b', 'c', 'd', 'e', 'f', 'g'],
              jsonFormat: 'PRETTYPRINT',
              malformedLines: 'SEND_RAW',
            },
          ],
        },
      ],
    });
    expect(config).toMatchObject({
      checkpointFile: '/etc/aws-kinesis/state/checkpoints',
      kinesisEndpoint: 'https://kinesis.eu-west-1.amazonaws.com',
      kinesisRegion: 'eu-west-1',
      credentials: { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'secret' },
      statusReportingPeriodSeconds: 10,
      shutdownTimeoutMillis: 2000,
      checkpointTimeToLiveDays: 3,
    });
    expect(config.flows[0]).toMatchObject({
      directory: '/etc/aws-kinesis/logs',
      fileGlob: 'app-*.log',
      partitionKeyOption: 'DETERMINISTIC',
      initialPosition: 'START_OF_FILE',
      maxBufferAgeMillis: 1000,
      maxBufferSizeRecords: 100,
      maxBufferSizeBytes: 65536,
      minTimeBetweenFilePollsMillis: 50,
      truncatedRecordTerminator: '…\n',
      dataProcessingOptions: [
        { optionName: 'SINGLELINE' },
        { optionName: 'LOGTOJSON', jsonFormat: 'PRETTYPRINT', malformedLines: 'SEND_RAW' },
      ],
    });
  });

  it('reports an unknown key instead of ignoring it, with the key it probably meant', () => {
    expect(problems({ flows: [{ ...flow, maxBufferAgeMilis: 1000 }] })).toEqual([
      'flows[0]: unknown key "maxBufferAgeMilis" (did you mean "maxBufferAgeMillis"?)',
    ]);
    expect(problems({ checkpointfile: '/x', flows: [flow] })).toEqual([
      'unknown key "checkpointfile" (did you mean "checkpointFile"?)',
    ]);
    expect(problems({ colour: 'blue', flows: [flow] })).toEqual(['unknown key "colour"']);
  });

  it('warns about Java agent settings it has no use for, and refuses ones that would change what is sent', () => {
    const { warnings } = parse({
      maxSendingThreads: 4,
      'cloudwatch.emitMetrics': false,
      flows: [{ ...flow, publishQueueCapacity: 10, skipHeaderLines: 0 }],
    });
    expect(warnings).toEqual([
      'ignored (Java agent settings log-agent does not need): maxSendingThreads',
      'flows[0]: ignored (Java agent settings log-agent does not need): publishQueueCapacity',
    ]);
    expect(
      problems({
        assumeRoleARN: 'arn:aws:iam::1:role/x',
        flows: [{ ...flow, multiLineStartPattern: '^\\[' }],
      }),
    ).toEqual([
      expect.stringMatching(/^"assumeRoleARN" is not supported: log-agent does not assume roles/),
      expect.stringMatching(/^flows\[0\]: "multiLineStartPattern" is not supported/),
    ]);
    expect(problems({ flows: [{ filePattern: '/var/log/app.log', deliveryStream: 'x' }] })).toEqual([
      expect.stringMatching(
        /"deliveryStream" is not supported: log-agent sends to Kinesis data streams only/,
      ),
    ]);
  });

  it.each([
    [{ flows: [] }, '"flows" must list at least one flow'],
    [{ flows: [{ kinesisStream: 'x' }] }, 'flows[0]: "filePattern" is required'],
    [{ flows: [{ filePattern: '/a' }] }, 'flows[0]: "kinesisStream" is required'],
    [{ flows: [{ ...flow, filePattern: '/var/log/*/access_log' }] }, /wildcards only in the file name/],
    [
      { flows: [{ ...flow, maxBufferAgeMillis: 10 }] },
      /"maxBufferAgeMillis" must be a whole number from 1000 to 900000, got 10/,
    ],
    [{ flows: [{ ...flow, maxBufferSizeRecords: 501 }] }, /from 1 to 500, got 501/],
    [
      { flows: [{ ...flow, maxBufferSizeBytes: '5MB' }] },
      /"maxBufferSizeBytes" must be a whole number .* got "5MB"/,
    ],
    [
      { flows: [{ ...flow, partitionKeyOption: 'HASH' }] },
      /"partitionKeyOption" must be RANDOM or DETERMINISTIC, got "HASH"/,
    ],
    [{ flows: [{ ...flow, initialPosition: 'TRIM_HORIZON' }] }, /START_OF_FILE or END_OF_FILE/],
    [
      { flows: [{ ...flow, retryInitialBackoffMillis: 500, retryMaxBackoffMillis: 100 }] },
      /must not be less than/,
    ],
    [{ awsAccessKeyId: 'AKID', flows: [flow] }, /must be given together/],
    [{ flows: [flow, flow] }, /two flows send the same files to the same stream/],
  ])('refuses %j', (raw, expected) => {
    expect(problems(raw as object)).toContainEqual(
      typeof expected === 'string' ? expected : expect.stringMatching(expected),
    );
  });

  it.each([
    [{ optionName: 'LOGTOJSON' }, /"logFormat" is required/],
    [{ optionName: 'LOGTOJSON', logFormat: 'SYSLOG' }, /logFormat SYSLOG is not supported/],
    [
      { optionName: 'LOGTOJSON', logFormat: 'NGINX' },
      /must be COMMONAPACHELOG or COMBINEDAPACHELOG, got "NGINX"/,
    ],
    [
      { optionName: 'LOGTOJSON', logFormat: 'COMMONAPACHELOG', customFieldNames: ['a'] },
      /must name the 7 fields/,
    ],
    [
      { optionName: 'LOGTOJSON', logFormat: 'COMMONAPACHELOG', matchPattern: '(\\d+)' },
      /needs "customFieldNames"/,
    ],
    [
      {
        optionName: 'LOGTOJSON',
        logFormat: 'COMMONAPACHELOG',
        matchPattern: '(\\d+) (\\w+)',
        customFieldNames: ['n'],
      },
      /has 2 groups but "customFieldNames" names 1/,
    ],
    [
      { optionName: 'LOGTOJSON', logFormat: 'COMMONAPACHELOG', matchPattern: '(', customFieldNames: ['n'] },
      /not a valid regular expression/,
    ],
    [
      { optionName: 'LOGTOJSON', logFormat: 'COMMONAPACHELOG', malformedLines: 'DROP' },
      /SKIP or SEND_RAW, got "DROP"/,
    ],
    [{ optionName: 'LOGTOJSON', logFormat: 'COMMONAPACHELOG', delimiter: ',' }, /unknown key "delimiter"/],
    [{ optionName: 'CSVTOJSON', customFieldNames: ['a'] }, /CSVTOJSON \(CSV conversion\) is not supported/],
    [{ optionName: 'GZIP' }, /"optionName" must be LOGTOJSON or SINGLELINE, got "GZIP"/],
  ])('refuses the processing option %j', (option, expected) => {
    expect(problems({ flows: [{ ...flow, dataProcessingOptions: [option] }] })).toEqual([
      expect.stringMatching(expected),
    ]);
  });

  it('lists every problem at once', () => {
    expect(problems({ flows: [{ maxBufferSizeRecords: 0 }, { filePattern: '/x' }] })).toHaveLength(4);
  });
});

describe('configuration files', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'agent-config-'));

  it('resolves relative paths against the file, so the example works from anywhere', () => {
    const { config, warnings } = readAgentConfig(path.join(ROOT, 'examples', 'agent.json'), env);
    // A checkout under /tmp puts the example's checkpoints there too, which is rightly warned about.
    const volatile = /^\/(tmp|run|dev\/shm)\//.test(ROOT);
    expect(warnings).toEqual(volatile ? [expect.stringMatching(/is in a directory cleared at boot/)] : []);
    expect(config.checkpointFile).toBe(path.join(ROOT, '.local', 'weblogs', 'checkpoints.json'));
    expect(config.flows[0]).toMatchObject({
      directory: path.join(ROOT, '.local', 'weblogs'),
      fileGlob: 'access_log*',
      kinesisStream: 'weblogs',
    });
  });

  it('names the file in every problem', () => {
    const file = path.join(dir, 'bad.json');
    writeFileSync(file, JSON.stringify({ flows: [{ ...flow, foo: 1 }] }));
    expect(() => readAgentConfig(file)).toThrow(`${file}: flows[0]: unknown key "foo"`);
  });

  it('says plainly when the file is missing or not JSON', () => {
    expect(() => readAgentConfig(path.join(dir, 'missing.json'))).toThrow(
      /^no configuration file at .*missing\.json$/,
    );
    const file = path.join(dir, 'broken.json');
    writeFileSync(file, '{ "flows": [ }');
    expect(() => readAgentConfig(file)).toThrow(/broken\.json is not valid JSON/);
  });
});
