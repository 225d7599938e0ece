/**
 * Faults injected into the local run, named as AWS Fault Injection Service names its actions
 * (`aws:kinesis:inject-api-throttle-error`, `aws:lambda:invocation-error`, …) with FIS's
 * parameter names (`percentage`, `operations`, `invocationPercentage`,
 * `startupDelayMilliseconds`, `preventExecution`). Faults FIS has no action for carry a
 * `local:` prefix. A spec on the command line:
 *
 *   NAME[:PERCENT][@TARGET][?PARAMETER=VALUE&…]
 *
 * TARGET is the stream, table, function or delivery stream (every one when absent); for the
 * Kinesis API faults it may name operations after a slash (`wildrydes/PutRecords,GetRecords`),
 * as the `operations` parameter does.
 */

export type FaultService = 'kinesis' | 'dynamodb' | 'lambda' | 'firehose';

interface FaultKind {
  readonly service: FaultService;
  readonly summary: string;
  /** The Kinesis operations it may affect (FIS's "target operations"). */
  readonly operations?: readonly string[];
}

const KINESIS_DATA_OPERATIONS = ['PutRecord', 'PutRecords', 'GetRecords', 'GetShardIterator'] as const;

export const FAULTS: Readonly<Record<string, FaultKind>> = {
  'aws:kinesis:inject-api-throttle-error': {
    service: 'kinesis',
    summary: 'ThrottlingException (HTTP 400)',
    operations: KINESIS_DATA_OPERATIONS,
  },
  'aws:kinesis:inject-api-internal-error': {
    service: 'kinesis',
    summary: 'InternalFailure (HTTP 500)',
    operations: KINESIS_DATA_OPERATIONS,
  },
  'aws:kinesis:inject-api-unavailable-error': {
    service: 'kinesis',
    summary: 'ServiceUnavailable (HTTP 503)',
    operations: KINESIS_DATA_OPERATIONS,
  },
  'aws:kinesis:inject-api-provisioned-throughput-exception': {
    service: 'kinesis',
    summary: 'ProvisionedThroughputExceededException (HTTP 400)',
    operations: ['PutRecord', 'PutRecords', 'GetRecords'],
  },
  'aws:kinesis:inject-api-expired-iterator-exception': {
    service: 'kinesis',
    summary: 'ExpiredIteratorException (HTTP 400)',
    operations: ['GetRecords'],
  },
  'aws:lambda:invocation-error': { service: 'lambda', summary: 'the invocation fails' },
  'aws:lambda:invocation-add-delay': { service: 'lambda', summary: 'the invocation starts late' },
  'local:dynamodb:inject-api-throttle-error': {
    service: 'dynamodb',
    summary: 'ThrottlingException (HTTP 400)',
  },
  'local:dynamodb:inject-api-provisioned-throughput-exception': {
    service: 'dynamodb',
    summary: 'ProvisionedThroughputExceededException (HTTP 400)',
  },
  'local:firehose:destination-outage': {
    service: 'firehose',
    summary: "the delivery stream's S3 writes fail (ServiceUnavailable, HTTP 503)",
  },
};

export interface Fault {
  readonly name: string;
  readonly service: FaultService;
  /** Share of matching requests or invocations affected, 1–100. */
  readonly percentage: number;
  /** The resource's name; every one when absent. */
  readonly target?: string;
  /** Kinesis operations affected; every one the action may affect when absent. */
  readonly operations?: readonly string[];
  /** aws:lambda:invocation-add-delay: the delay. @default 1000 */
  readonly startupDelayMilliseconds?: number;
  /** aws:lambda:invocation-error: fail without running the function. @default true */
  readonly preventExecution?: boolean;
  /** FIS's `duration` (ISO 8601, `PT5M`): the fault ends by itself after it. @default until cleared */
  readonly durationMs?: number;
}

/** An ISO 8601 duration of hours, minutes and seconds (`PT1H30M`, `PT45S`), as FIS takes it. */
export function parseDuration(text: string): number | undefined {
  const match = /^PT(?:(\d+)H)?(?:(\d+)M)?(?:(\d+(?:\.\d+)?)S)?$/.exec(text);
  if (!match || text === 'PT') return undefined;
  const [, h = '0', m = '0', sec = '0'] = match;
  return (Number(h) * 3600 + Number(m) * 60 + Number(sec)) * 1000;
}

export class FaultSpecError extends Error {}

const fail = (spec: string, why: string): never => {
  throw new FaultSpecError(`--fault ${spec}: ${why}`);
};

/** A spec cut at its separators: `NAME[:PERCENT]`, `@TARGET` and `?PARAMETER=VALUE&…`. */
function specParts(spec: string) {
  const text = spec.trim();
  const query = text.indexOf('?');
  const head = query < 0 ? text : text.slice(0, query);
  const params = new URLSearchParams(query < 0 ? '' : text.slice(query + 1));
  const at = head.indexOf('@');
  const namePart = at < 0 ? head : head.slice(0, at);
  const targetPart = at < 0 ? undefined : head.slice(at + 1);
  const percentMatch = /^(.*?):(\d+(?:\.\d+)?)$/.exec(namePart);
  return {
    name: percentMatch ? percentMatch[1] : namePart,
    percentText: percentMatch?.[2],
    targetPart,
    params,
  };
}

/** A spec whose fault is known: what each part's parser reads, and fails on, with the spec in its message. */
interface FaultSpec {
  readonly spec: string;
  readonly name: string;
  readonly kind: FaultKind;
  readonly params: URLSearchParams;
}

const parameter = ({ params }: FaultSpec, key: string) => params.get(key) ?? undefined;

/** The parameters a spec may carry, with FIS's names. */
const FAULT_PARAMETERS = new Set([
  'duration',
  'percentage',
  'invocationPercentage',
  'operations',
  'startupDelayMilliseconds',
  'preventExecution',
]);

/** `:PERCENT`, or FIS's `percentage` (`invocationPercentage` for Lambda's faults); 100 when absent. */
function percentageOf(s: FaultSpec, fromName: string | undefined): number {
  const percentText =
    fromName ?? parameter(s, s.kind.service === 'lambda' ? 'invocationPercentage' : 'percentage');
  const percentage = percentText === undefined ? 100 : Number(percentText);
  if (!Number.isFinite(percentage) || percentage < 1 || percentage > 100)
    fail(s.spec, `the percentage must be 1 to 100, got "${percentText}"`);
  return percentage;
}

/** `@TARGET[/OPERATIONS]`: every resource when absent, empty or `*`. */
function targetOf(s: FaultSpec, targetPart: string | undefined): { target?: string; operations?: string[] } {
  if (targetPart === undefined) return {};
  let target: string | undefined = targetPart;
  let operations: string[] | undefined;
  const slash = target.indexOf('/');
  if (slash >= 0) {
    if (s.kind.service !== 'kinesis')
      fail(s.spec, 'only the Kinesis faults take operations after the target');
    operations = target.slice(slash + 1).split(',');
    target = target.slice(0, slash);
  }
  if (target === '' || target === '*') target = undefined;
  return { target, operations };
}

/** The Kinesis operations affected (FIS's `operations` over those after the target), each one the fault may affect. */
function operationsOf(s: FaultSpec, afterTarget: string[] | undefined): string[] | undefined {
  let operations = afterTarget;
  const listed = parameter(s, 'operations');
  if (listed !== undefined) {
    if (s.kind.service !== 'kinesis') fail(s.spec, 'only the Kinesis faults take operations');
    operations = listed.split(',');
  }
  if (!operations) return undefined;
  operations = operations.map((o) => o.trim());
  for (const op of operations) {
    if (!s.kind.operations!.includes(op))
      fail(s.spec, `${s.name} affects ${s.kind.operations!.join(', ')}; not "${op}"`);
  }
  return operations;
}

/** `startupDelayMilliseconds`, aws:lambda:invocation-add-delay's, 0 to 900000 (Lambda's 15 minutes). */
function startupDelayOf(s: FaultSpec): number | undefined {
  const delay = parameter(s, 'startupDelayMilliseconds');
  if (delay === undefined) return undefined;
  if (s.name !== 'aws:lambda:invocation-add-delay')
    fail(s.spec, 'startupDelayMilliseconds belongs to aws:lambda:invocation-add-delay');
  const ms = Number(delay);
  if (!Number.isInteger(ms) || ms < 0 || ms > 900_000)
    fail(s.spec, `startupDelayMilliseconds must be 0 to 900000, got "${delay}"`);
  return ms;
}

/** `preventExecution`, aws:lambda:invocation-error's, true or false. */
function preventExecutionOf(s: FaultSpec): boolean | undefined {
  const prevent = parameter(s, 'preventExecution');
  if (prevent === undefined) return undefined;
  if (s.name !== 'aws:lambda:invocation-error')
    fail(s.spec, 'preventExecution belongs to aws:lambda:invocation-error');
  if (prevent !== 'true' && prevent !== 'false')
    fail(s.spec, `preventExecution must be true or false, got "${prevent}"`);
  return prevent === 'true';
}

/** FIS's `duration`, in milliseconds. */
function durationOf(s: FaultSpec): number | undefined {
  const duration = parameter(s, 'duration');
  if (duration === undefined) return undefined;
  const durationMs = parseDuration(duration);
  if (durationMs === undefined || durationMs <= 0)
    fail(s.spec, `duration is ISO 8601 hours, minutes and seconds (PT30S, PT5M), got "${duration}"`);
  return durationMs;
}

/** Reads `NAME[:PERCENT][@TARGET][?PARAMETER=VALUE&…]`; a one-line FaultSpecError when it is not right. */
export function parseFault(spec: string): Fault {
  const { name, percentText, targetPart, params } = specParts(spec);
  const kind = FAULTS[name];
  if (!kind) fail(spec, `unknown fault "${name}"; one of ${Object.keys(FAULTS).join(', ')}`);
  const s: FaultSpec = { spec, name, kind, params };
  const percentage = percentageOf(s, percentText);
  const { target, operations: afterTarget } = targetOf(s, targetPart);
  const operations = operationsOf(s, afterTarget);
  const startupDelayMilliseconds = startupDelayOf(s);
  const preventExecution = preventExecutionOf(s);
  const durationMs = durationOf(s);
  for (const key of params.keys()) if (!FAULT_PARAMETERS.has(key)) fail(spec, `unknown parameter "${key}"`);
  return {
    name,
    service: kind.service,
    percentage,
    ...(target !== undefined ? { target } : {}),
    ...(operations ? { operations } : {}),
    ...(startupDelayMilliseconds !== undefined ? { startupDelayMilliseconds } : {}),
    ...(preventExecution !== undefined ? { preventExecution } : {}),
    ...(durationMs !== undefined ? { durationMs } : {}),
  };
}

/** A fault as a spec again, short: `aws:kinesis:inject-api-throttle-error:50@wildrydes/PutRecords`. */
export function describeFault(fault: Fault): string {
  const percent = fault.percentage === 100 ? '' : `:${fault.percentage}`;
  const ops = fault.operations ? `/${fault.operations.join(',')}` : '';
  const target = fault.target !== undefined || ops ? `@${fault.target ?? '*'}${ops}` : '';
  const params = [
    ...(fault.startupDelayMilliseconds !== undefined
      ? [`startupDelayMilliseconds=${fault.startupDelayMilliseconds}`]
      : []),
    ...(fault.preventExecution !== undefined ? [`preventExecution=${fault.preventExecution}`] : []),
    ...(fault.durationMs !== undefined ? [`duration=PT${fault.durationMs / 1000}S`] : []),
  ];
  return `${fault.name}${percent}${target}${params.length ? `?${params.join('&')}` : ''}`;
}

export interface FaultsOptions {
  /** A number in [0, 1) per decision. @default Math.random */
  readonly random?: () => number;
  /** Where faults being added and cleared are reported. */
  readonly log?: (message: string) => void;
  /** Runs `end` after `ms` (a fault's duration). @default an unref'd setTimeout */
  readonly after?: (ms: number, end: () => void) => void;
}

/** The faults in force in a running pipeline: added and cleared while it runs. */
export class Faults {
  private active: Fault[] = [];
  private readonly random: () => number;
  private readonly log: (message: string) => void;
  private readonly after: (ms: number, end: () => void) => void;
  /** Faults injected, by fault spec. */
  readonly injected = new Map<string, number>();

  constructor(initial: readonly Fault[] = [], options: FaultsOptions = {}) {
    this.random = options.random ?? Math.random;
    this.log = options.log ?? (() => undefined);
    this.after = options.after ?? ((ms, end) => setTimeout(end, ms).unref());
    for (const fault of initial) this.add(fault);
  }

  add(fault: Fault) {
    this.active.push(fault);
    this.log(`fault on: ${describeFault(fault)}`);
    if (fault.durationMs !== undefined) {
      this.after(fault.durationMs, () => {
        if (!this.active.includes(fault)) return;
        this.active = this.active.filter((f) => f !== fault);
        this.log(`fault over (its duration ended): ${describeFault(fault)}`);
      });
    }
  }

  /** Clears the faults of that name (every fault without one); returns how many. */
  clear(name?: string): number {
    const cleared = this.active.filter((f) => name === undefined || f.name === name);
    this.active = this.active.filter((f) => !cleared.includes(f));
    for (const fault of cleared) this.log(`fault off: ${describeFault(fault)}`);
    return cleared.length;
  }

  list(): readonly Fault[] {
    return this.active;
  }

  /**
   * The fault to inject into this call, if any: the first in force for the service, the
   * resource and the operation whose percentage the dice allow.
   */
  pick(service: FaultService, resource: string | undefined, operation?: string): Fault | undefined {
    for (const fault of this.active) {
      if (fault.service !== service) continue;
      if (fault.target !== undefined && fault.target !== resource) continue;
      const operations = fault.operations ?? FAULTS[fault.name].operations;
      if (operation !== undefined && operations && !operations.includes(operation)) continue;
      if (operation === undefined && operations) continue;
      if (fault.percentage < 100 && this.random() * 100 >= fault.percentage) continue;
      const key = describeFault(fault);
      this.injected.set(key, (this.injected.get(key) ?? 0) + 1);
      return fault;
    }
    return undefined;
  }
}
