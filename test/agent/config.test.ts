import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { ConfigError, FLOW_DEFAULTS, parseAgentConfig, readAgentConfig } from '../../agent/config';
import { ROOT } from '../support/run-command';

const FIXTURES = path.join(__dirname, 'fixtures');

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
    const { config, warnings, notes } = parse({
      'cloudwatch.emitMetrics': true,
      'kinesis.endpoint': '',
      'firehose.endpoint': '',
      flows: [{ ...flow, partitionKeyOption: 'RANDOM' }],
    });
    expect(config.flows).toEqual([
      {
        id: 'kinesis:weblogs:/var/log/httpd/access_log*',
        destination: 'kinesis',
        streamName: 'weblogs',
        filePattern: '/var/log/httpd/access_log*',
        directory: '/var/log/httpd',
        fileGlob: 'access_log*',
        kinesisStream: 'weblogs',
        partitionKeyOption: 'RANDOM',
        initialPosition: 'END_OF_FILE',
        ...FLOW_DEFAULTS,
        maxRecordSizeBytes: 1024 * 1024,
        dataProcessingOptions: [],
      },
    ]);
    expect(config.kinesisEndpoint).toBeUndefined();
    expect(config.statusReportingPeriodSeconds).toBe(30);
    // cloudwatch.emitMetrics is applied now: the agent's metrics go to CloudWatch.
    expect(config.metrics).toEqual({ emit: true, namespace: 'AWSKinesisAgent', bufferTimeMillis: 30_000 });
    expect(warnings).toEqual([]);
    expect(notes).toEqual([]);
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

  it('notes each Java agent setting that has no effect here once, with the reason', () => {
    const { notes, warnings } = parse({
      maxSendingThreads: 4,
      'log.level': 'DEBUG',
      'log.file': '/var/log/aws-kinesis-agent/aws-kinesis-agent.log',
      'cloudwatch.emitMetrics': false,
      useHttpGzip: false,
      flows: [
        { ...flow, publishQueueCapacity: 10, skipHeaderLines: 0 },
        { ...flow, filePattern: '/var/log/httpd/error_log*', publishQueueCapacity: 10 },
      ],
    });
    expect(warnings).toEqual([]);
    expect(notes).toEqual([
      'log.level, log.file have no effect here: log-agent writes its log to stderr, for the shell or the service manager (journald) to keep',
      'maxSendingThreads has no effect here: log-agent sends from one event loop, one request per flow at a time',
      'publishQueueCapacity (flows[0], flows[1]) has no effect here: log-agent reads a bounded number of buffers ahead instead of queueing them',
    ]);
  });

  it('reads the settings it refused before: roles, multi-line records, Firehose flows', () => {
    const { config } = parse({
      assumeRoleARN: 'arn:aws:iam::123456789012:role/x',
      flows: [
        { ...flow, multiLineStartPattern: '^\\[', skipHeaderLines: 2, fileFooterPattern: '^END$' },
        { filePattern: '/var/log/app.log', deliveryStream: 'archive', aggregatedRecordSizeBytes: 5120 },
      ],
    });
    expect(config.assumeRole).toEqual({ roleArn: 'arn:aws:iam::123456789012:role/x' });
    expect(config.flows[0]).toMatchObject({
      multiLineStartPattern: '^\\[',
      skipHeaderLines: 2,
      fileFooterPattern: '^END$',
    });
    expect(config.flows[1]).toMatchObject({
      id: 'fh:archive:/var/log/app.log',
      destination: 'firehose',
      deliveryStream: 'archive',
      // Firehose's limits: 4 MiB per PutRecordBatch, 1,000 KiB per record.
      maxBufferSizeBytes: 4 * 1024 * 1024,
      maxRecordSizeBytes: 1000 * 1024,
      aggregatedRecordSizeBytes: 5120,
    });
    expect(config.flows[1].kinesisStream).toBeUndefined();
  });

  it('sends a flow with both destinations to Firehose, as the Java agent does, and says so', () => {
    const { config, notes } = parse({
      flows: [{ ...flow, deliveryStream: 'archive', partitionKeyOption: 'DETERMINISTIC' }],
    });
    expect(config.flows[0]).toMatchObject({ destination: 'firehose', streamName: 'archive' });
    expect(notes).toEqual([
      'partitionKeyOption (flows[0]) has no effect here: Firehose records have no partition key',
      'kinesisStream (flows[0]) has no effect here: a flow with "deliveryStream" sends to Firehose only, as the Kinesis Agent does',
    ]);
  });

  it.each([
    [{ awsSessionToken: 'x' }, 'unknown key "awsSessionToken"'],
    [{ 'firehose.region': 'eu-west-1' }, 'unknown key "firehose.region"'],
    [
      { 'cloudwatch.emitMetric': true },
      'unknown key "cloudwatch.emitMetric" (did you mean "cloudwatch.emitMetrics"?)',
    ],
    [{ 'log.Level': 'INFO' }, 'unknown key "log.Level" (did you mean "log.level"?)'],
    [{ initialPosition: 'START_OF_FILE' }, 'unknown key "initialPosition" (it belongs in a flow)'],
  ])('refuses a key the Java agent does not read either: %j', (extra, expected) => {
    expect(problems({ ...extra, flows: [flow] })).toEqual([expected]);
  });

  it.each([
    ['deliverystream', 'deliveryStream'],
    ['multilineStartPattern', 'multiLineStartPattern'],
    ['skipHeaderLine', 'skipHeaderLines'],
    ['dataProcessingOption', 'dataProcessingOptions'],
  ])('refuses the flow key %s with the one it probably means', (typo, meant) => {
    expect(problems({ flows: [{ ...flow, [typo]: 1 }] })).toEqual([
      `flows[0]: unknown key "${typo}" (did you mean "${meant}"?)`,
    ]);
  });

  it.each([
    [{ flows: [] }, '"flows" must list at least one flow'],
    [{ flows: [{ kinesisStream: 'x' }] }, 'flows[0]: "filePattern" is required'],
    [{ flows: [{ filePattern: '/a' }] }, 'flows[0]: "kinesisStream" or "deliveryStream" is required'],
    [
      { flows: [{ filePattern: '/a', deliveryStream: 'x', maxBufferSizeBytes: 5 * 1024 * 1024 }] },
      'flows[0]: "maxBufferSizeBytes" must be a whole number from 1 to 4194304, got 5242880',
    ],
    [
      { flows: [{ ...flow, multiLineStartPattern: '[' }] },
      /flows\[0\]: "multiLineStartPattern" is not a valid regular expression: .*, got "\["/,
    ],
    [{ flows: [{ ...flow, skipHeaderLines: -1 }] }, /"skipHeaderLines" must be a whole number from 0 to/],
    [
      { flows: [{ ...flow, maxRecordSizeBytes: 2 * 1024 * 1024 }] },
      /"maxRecordSizeBytes" must be a whole number from 1 to 1048576/,
    ],
    [
      { 'cloudwatch.emitMetrics': 'yes', flows: [flow] },
      '"cloudwatch.emitMetrics" must be true or false, got "yes"',
    ],
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
    [
      { optionName: 'LOGTOJSON', logFormat: 'NGINX' },
      /"logFormat" must be COMMONAPACHELOG, COMBINEDAPACHELOG, APACHEERRORLOG, SYSLOG or RFC3339SYSLOG, got "NGINX"/,
    ],
    [
      { optionName: 'LOGTOJSON', logFormat: 'SYSLOG', customFieldNames: ['a', 'b'] },
      /must name the 5 fields of SYSLOG \(timestamp, hostname, program, processid, message\)/,
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
    [{ optionName: 'CSVTOJSON', delimiter: ',' }, /"customFieldNames" is required/],
    [
      { optionName: 'CSVTOJSON', customFieldNames: 'a,b' },
      /"customFieldNames" must be a list of field names, got "a,b"/,
    ],
    [
      { optionName: 'ADDMETADATA', timestamp: 'sometimes' },
      /"timestamp" must be true or false, got "sometimes"/,
    ],
    [
      { optionName: 'ADDEC2METADATA', metadataFields: ['hostname'] },
      /"metadataFields" must list privateIp, /,
    ],
    [{ optionName: 'SINGLELINE', logFormat: 'SYSLOG' }, /unknown key "logFormat"/],
    [
      { optionName: 'GZIP' },
      /"optionName" must be one of SINGLELINE, CSVTOJSON, LOGTOJSON, ADDMETADATA, ADDEC2METADATA, ADDBRACKETS, got "GZIP"/,
    ],
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

describe("the Kinesis Agent's documented configurations", () => {
  const read = (name: string) => readAgentConfig(path.join(FIXTURES, name), env);

  it('reads the shipped sample shape: a Kinesis flow and a Firehose flow on the same files', () => {
    const { config, warnings, notes } = read('sample.json');
    expect(config.flows.map((f) => [f.id, f.destination, f.partitionKeyOption])).toEqual([
      ['kinesis:app-events:/var/log/app/app.log*', 'kinesis', 'RANDOM'],
      ['fh:app-archive:/var/log/app/app.log*', 'firehose', 'RANDOM'],
    ]);
    // Empty endpoints mean "not set"; metrics are on.
    expect(config.kinesisEndpoint).toBeUndefined();
    expect(config.firehoseEndpoint).toBeUndefined();
    expect(config.metrics.emit).toBe(true);
    expect([...warnings, ...notes]).toEqual([]);
  });

  it('reads the example with credentials keys and CSVTOJSON, and notes the Java credentials provider', () => {
    const { config, notes } = read('example-credentials.json');
    expect(config).toMatchObject({
      checkpointFile: '/var/lib/aws-kinesis-agent/checkpoints',
      kinesisEndpoint: 'https://kinesis.us-west-2.amazonaws.com',
      cloudwatchEndpoint: 'https://monitoring.us-west-2.amazonaws.com',
      credentials: {
        accessKeyId: 'AKIAIOSFODNN7EXAMPLE',
        secretAccessKey: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY',
      },
    });
    // "\\t" in the file is the Java escape for a tab.
    expect(config.flows[0].dataProcessingOptions).toEqual([
      {
        optionName: 'CSVTOJSON',
        customFieldNames: ['order', 'customer', 'total'],
        delimiter: '\t',
        jsonFormat: 'COMPACT',
      },
    ]);
    expect(notes).toEqual([
      expect.stringMatching(
        /^userDefinedCredentialsProvider\.classname, userDefinedCredentialsProvider\.location have no effect here: a Java class cannot be loaded here/,
      ),
    ]);
  });

  it('reads a configuration with /* */ and // comments, and notes the log.* settings once', () => {
    const { config, notes } = read('comments-and-logging.json');
    expect(config.flows[0]).toMatchObject({
      deliveryStream: 'weblogs-archive',
      initialPosition: 'START_OF_FILE',
    });
    expect(notes).toEqual([
      'log.level, log.file, log.maxBackupIndex, log.maxFileSize have no effect here: log-agent writes its log to stderr, for the shell or the service manager (journald) to keep',
    ]);
  });

  it('reads CSVTOJSON with multi-line records, header lines, a terminator and a record size', () => {
    const { config } = read('csv-multiline.json');
    expect(config.flows[0]).toMatchObject({
      skipHeaderLines: 1,
      multiLineStartPattern: '\\[SEQUENCE=',
      truncatedRecordTerminator: '[cut]\n',
      maxRecordSizeBytes: 64,
      dataProcessingOptions: [{ optionName: 'SINGLELINE' }, { optionName: 'CSVTOJSON', delimiter: '\t' }],
    });
  });

  it('knows every key the documentation lists and the agent reads: each applied, or noted once', () => {
    const { config, notes } = read('every-key.json');
    expect(config).toMatchObject({
      checkpointTimeToLiveDays: 14,
      shutdownTimeoutMillis: 20_000,
      statusReportingPeriodSeconds: 60,
      kinesisEndpoint: 'kinesis.eu-west-1.amazonaws.com',
      kinesisRegion: 'eu-west-1',
      firehoseEndpoint: 'https://firehose.eu-west-1.amazonaws.com',
      cloudwatchEndpoint: 'https://monitoring.eu-west-1.amazonaws.com',
      stsEndpoint: 'https://sts.eu-west-1.amazonaws.com',
      assumeRole: { roleArn: 'arn:aws:iam::123456789012:role/log-shipping', externalId: 'weblogs-2017' },
      metrics: { emit: true, namespace: 'WebServers', bufferTimeMillis: 60_000 },
      http: { connectionTimeoutMillis: 5000, socketTimeoutMillis: 30_000, userAgent: 'weblogs-shipper' },
    });
    expect(config.flows[0]).toMatchObject({
      partitionKeyOption: 'DETERMINISTIC',
      maxBufferAgeMillis: 5000,
      maxBufferSizeRecords: 100,
      maxBufferSizeBytes: 1048576,
      minTimeBetweenFilePollsMillis: 250,
      retryInitialBackoffMillis: 200,
      retryMaxBackoffMillis: 5000,
      truncatedRecordTerminator: '...\n',
      maxRecordSizeBytes: 524288,
      aggregatedRecordSizeBytes: 5120,
      fileFooterPattern: '^# end of log$',
      dataProcessingOptions: [
        {
          optionName: 'LOGTOJSON',
          logFormat: 'COMMONAPACHELOG',
          jsonFormat: 'PRETTYPRINT',
          malformedLines: 'SKIP',
        },
        {
          optionName: 'ADDMETADATA',
          timestamp: true,
          metadata: { site: 'www.wildrydes.com', tier: { name: 'web' } },
        },
      ],
    });
    expect(config.flows[1].dataProcessingOptions[1]).toEqual({
      optionName: 'ADDEC2METADATA',
      metadataFields: ['instanceId', 'availabilityZone', 'region'],
      metadataPrefix: 'ec2_',
      metadataTTLSeconds: 600,
      jsonFormat: 'COMPACT',
    });
    expect(config.flows.flatMap((f) => f.dataProcessingOptions.map((o) => o.optionName))).toEqual([
      'LOGTOJSON',
      'ADDMETADATA',
      'LOGTOJSON',
      'ADDEC2METADATA',
      'LOGTOJSON',
      'SINGLELINE',
      'LOGTOJSON',
      'ADDBRACKETS',
      'CSVTOJSON',
      'LOGTOJSON',
    ]);
    // Every key with no effect is named exactly once.
    const named = notes.flatMap((n) =>
      n
        .split(/ ha(?:s|ve) no effect here/)[0]
        .split(', ')
        .map((k) => k.replace(/ \(.*\)$/, '')),
    );
    expect(named.sort()).toEqual(
      [
        'cloudwatch.metricsQueueSize',
        'cloudwatch.tagInstance',
        'connectionTTLMillis',
        'log.emitInternalMetrics',
        'log.emitInternalMetrics',
        'log.emitMetrics',
        'log.file',
        'log.level',
        'log.maxBackupIndex',
        'log.maxFileSize',
        'maxConnections',
        'maxSendingThreads',
        'maxSendingThreadsPerCore',
        'maxTimeBetweenFileTrackerRefreshMillis',
        'publishQueueCapacity',
        'sendingThreadsKeepAliveMillis',
        'sendingThreadsMaxQueueSize',
        'useHttpGzip',
        'useTcpKeepAlive',
        'userAgentOverride',
        'userDefinedCredentialsProvider.classname',
        'userDefinedCredentialsProvider.location',
        'waitOnEmptyPublishQueueMillis',
        'waitOnFullPublishQueueMillis',
        'waitOnFullRetryQueueMillis',
      ].sort(),
    );
  });

  it('names the line and column of a syntax error in a file with comments', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'agent-config-'));
    const file = path.join(dir, 'broken.json');
    writeFileSync(file, '{\n  // the flows\n  "flows": [ /* none yet */ , ]\n}\n');
    expect(() => readAgentConfig(file)).toThrow(/broken\.json is not valid JSON: .*line 3, column \d+/);
    writeFileSync(file, '{ /* never closed\n "flows": [] }');
    expect(() => readAgentConfig(file)).toThrow(/comment opened at line 1, column 3 is never closed/);
  });
});
