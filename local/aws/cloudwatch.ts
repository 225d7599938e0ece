import type { AlarmStatus } from '../metrics/monitor';
import { MetricStore, type MetricId, type PeriodStatistics } from '../metrics/store';
import { describeAlarms, getMetricData, outputJson, outputXml } from './cloudwatch-alarms';
import {
  cloudWatchError,
  CloudWatchError,
  readGetMetricStatistics,
  readListMetrics,
  readPutMetricData,
} from './cloudwatch-input';
import {
  jsonError,
  jsonOperation,
  jsonResponse,
  notAuthorizedMessage,
  protocolOf,
  queryError,
  queryObject,
  queryParams,
  queryResponse,
  requestBody,
  xmlEscape,
} from './protocols';
import type { AwsRequest, AwsResponse, AwsService } from './service';

/**
 * CloudWatch metrics on the local endpoint (signing name `monitoring`), in both protocols its
 * clients speak: AWS JSON 1.0 (`GraniteServiceVersion20100801.<Operation>`, current SDKs, errors
 * with their query-protocol codes) and query (`Action=…&Version=2010-08-01`, XML; the AWS CLI v2
 * of Debian 12). PutMetricData stores into a `MetricStore`; GetMetricStatistics, GetMetricData
 * and ListMetrics read it back; DescribeAlarms answers the alarms' states (`useAlarms`). The requests are read and checked in `cloudwatch-input.ts`.
 */

export const CLOUDWATCH_XMLNS = 'http://monitoring.amazonaws.com/doc/2010-08-01/';
const TARGET_PREFIX = 'GraniteServiceVersion20100801.';
/** ListMetrics' page size. */
const METRICS_PER_PAGE = 500;
const RECENTLY_ACTIVE_MS = 3 * 3600_000;

export interface CloudWatchServiceOptions {
  /** Where datapoints go. @default a new, empty store */
  readonly store?: MetricStore;
  /** The clock timestamps are checked against. @default Date.now */
  readonly now?: () => number;
  /** The alarms and their states, for DescribeAlarms. @default none (see `useAlarms`) */
  readonly alarms?: () => readonly AlarmStatus[];
}

type Json = Record<string, unknown>;
type Protocol = 'json' | 'query';

/**
 * A result in both protocols: the JSON body, and the XML inside `<OperationResult>` (none for an
 * action without output, such as PutMetricData).
 */
interface Result {
  readonly json: Json;
  readonly xml: string | undefined;
}

const xmlTime = (ms: number) => new Date(ms).toISOString().replace(/\.000Z$/, 'Z');
const tag = (name: string, content: string | number) => `<${name}>${content}</${name}>`;
const members = (items: readonly string[]) => items.map((item) => tag('member', item)).join('');

function metricXml(metric: MetricId): string {
  const dimensions = metric.dimensions.map(
    (d) => tag('Name', xmlEscape(d.name)) + tag('Value', xmlEscape(d.value)),
  );
  return (
    tag('Namespace', xmlEscape(metric.namespace)) +
    tag('MetricName', xmlEscape(metric.metricName)) +
    tag('Dimensions', members(dimensions))
  );
}

const metricJson = (metric: MetricId) => ({
  Namespace: metric.namespace,
  MetricName: metric.metricName,
  Dimensions: metric.dimensions.map((d) => ({ Name: d.name, Value: d.value })),
});

const STAT_KEYS = ['SampleCount', 'Average', 'Sum', 'Minimum', 'Maximum'] as const;

function datapointJson(point: PeriodStatistics, percentileNames: ReadonlyMap<string, string>): Json {
  const extended = point.percentiles
    ? Object.fromEntries(
        Object.entries(point.percentiles).map(([key, v]) => [percentileNames.get(key) ?? key, v]),
      )
    : undefined;
  return {
    Timestamp: point.timestamp / 1000,
    ...Object.fromEntries(STAT_KEYS.filter((k) => point[k] !== undefined).map((k) => [k, point[k]])),
    Unit: point.unit,
    ...(extended ? { ExtendedStatistics: extended } : {}),
  };
}

function datapointXml(json: Json): string {
  let xml = tag('Timestamp', xmlTime((json.Timestamp as number) * 1000));
  for (const key of STAT_KEYS) if (json[key] !== undefined) xml += tag(key, String(json[key]));
  xml += tag('Unit', String(json.Unit));
  const extended = json.ExtendedStatistics as Record<string, number> | undefined;
  if (extended) {
    const entries = Object.entries(extended).map(([k, v]) =>
      tag('entry', tag('key', xmlEscape(k)) + tag('value', v)),
    );
    xml += tag('ExtendedStatistics', entries.join(''));
  }
  return xml;
}

export class CloudWatchService implements AwsService {
  readonly signingNames = ['monitoring'];
  readonly targetPrefixes = [TARGET_PREFIX];
  readonly store: MetricStore;
  private readonly now: () => number;
  private alarms: () => readonly AlarmStatus[];

  constructor(options: CloudWatchServiceOptions = {}) {
    this.store = options.store ?? new MetricStore();
    this.now = options.now ?? Date.now;
    this.alarms = options.alarms ?? (() => []);
  }

  /** Where DescribeAlarms finds the alarms (once the templates' alarms are evaluated). */
  useAlarms(alarms: () => readonly AlarmStatus[]): void {
    this.alarms = alarms;
  }

  async handle(request: AwsRequest): Promise<AwsResponse> {
    const protocol: Protocol = protocolOf(request) === 'json' ? 'json' : 'query';
    try {
      const { operation, input } = this.read(request, protocol);
      const result = await this.run(request, operation, input);
      return protocol === 'json'
        ? jsonResponse(result.json, '1.0')
        : queryResponse(operation, result.xml, CLOUDWATCH_XMLNS);
    } catch (error) {
      if (!(error instanceof CloudWatchError)) throw error;
      return protocol === 'json'
        ? jsonError(error.error, '1.0', 'com.amazonaws.cloudwatch')
        : queryError(error.error, CLOUDWATCH_XMLNS);
    }
  }

  /** The operation and its input, as a JSON-shaped object whichever protocol it came in. */
  private read(request: AwsRequest, protocol: Protocol): { operation: string; input: Json } {
    const body = requestBody(request);
    if (protocol === 'query') {
      const params = queryParams({ body, query: request.query });
      const { Action, ...input } = queryObject(params);
      delete input.Version;
      return { operation: String(Action ?? ''), input };
    }
    try {
      return {
        operation: jsonOperation(request, TARGET_PREFIX) ?? '',
        input: JSON.parse(body.toString('utf8') || '{}') as Json,
      };
    } catch {
      throw cloudWatchError('SerializationException', 'The request body is not valid JSON.');
    }
  }

  private async run(request: AwsRequest, operation: string, input: Json): Promise<Result> {
    switch (operation) {
      case 'PutMetricData':
        return this.putMetricData(request, input);
      case 'GetMetricStatistics':
        return this.getMetricStatistics(request, input);
      case 'ListMetrics':
        return this.listMetrics(request, input);
      case 'DescribeAlarms': {
        await this.authorize(request, 'cloudwatch:DescribeAlarms');
        const output = describeAlarms(this.alarms(), input);
        return { json: outputJson(output) as Json, xml: outputXml(output) };
      }
      case 'GetMetricData': {
        await this.authorize(request, 'cloudwatch:GetMetricData');
        const output = getMetricData(this.store, input);
        return { json: outputJson(output) as Json, xml: outputXml(output) };
      }
      default:
        throw cloudWatchError('InvalidAction', `The action ${operation} is not valid for this web service.`);
    }
  }

  private async authorize(request: AwsRequest, action: string, context: Record<string, string> = {}) {
    const decision = await request.authorize(action, '*', context);
    if (decision.allowed) return;
    throw new CloudWatchError({
      code: 'AccessDenied',
      queryCode: 'AccessDenied',
      status: 403,
      message: notAuthorizedMessage(request.caller, action, '*', decision.reason),
    });
  }

  private async putMetricData(request: AwsRequest, input: Json): Promise<Result> {
    const namespace = typeof input.Namespace === 'string' ? input.Namespace : undefined;
    await this.authorize(
      request,
      'cloudwatch:PutMetricData',
      namespace ? { 'cloudwatch:namespace': namespace } : {},
    );
    const { data } = readPutMetricData(input, this.now());
    for (const { id, point } of data) this.store.put(id, point);
    return { json: {}, xml: undefined };
  }

  private async getMetricStatistics(request: AwsRequest, input: Json): Promise<Result> {
    await this.authorize(request, 'cloudwatch:GetMetricStatistics');
    const query = readGetMetricStatistics(input);
    const names = new Map(query.percentiles.map((p) => [`p${p.value}`, p.name]));
    const points = this.store
      .statistics(
        query.namespace,
        query.metricName,
        query.dimensions,
        query.period,
        query.start,
        query.end,
        query.statistics,
        {
          unit: query.unit,
          percentiles: query.percentiles.map((p) => p.value),
        },
      )
      .map((point) => datapointJson(point, names));
    return {
      json: { Label: query.metricName, Datapoints: points },
      xml: tag('Label', xmlEscape(query.metricName)) + tag('Datapoints', members(points.map(datapointXml))),
    };
  }

  private async listMetrics(request: AwsRequest, input: Json): Promise<Result> {
    await this.authorize(request, 'cloudwatch:ListMetrics');
    const query = readListMetrics(input);
    const all = this.store.metrics({
      namespace: query.namespace,
      metricName: query.metricName,
      dimensions: query.dimensions,
      activeSince: query.recentlyActive ? this.now() - RECENTLY_ACTIVE_MS : undefined,
    });
    const page = all.slice(query.offset, query.offset + METRICS_PER_PAGE);
    const next = query.offset + METRICS_PER_PAGE;
    const nextToken = next < all.length ? Buffer.from(String(next)).toString('base64url') : undefined;
    return {
      json: { Metrics: page.map(metricJson), ...(nextToken ? { NextToken: nextToken } : {}) },
      xml: tag('Metrics', members(page.map(metricXml))) + (nextToken ? tag('NextToken', nextToken) : ''),
    };
  }
}
