/**
 * The workshop's labs: what a deployment can hold. Each lab is a part of the system an attendee
 * builds in one session of the original workshop; a deployment chooses its labs
 * (`-c labs=streaming,aggregation`, or a workshop file's `labs`), and everything that reads the
 * synthesized system (monitoring, cost, report, local run) follows what was deployed. Defined
 * once here; the CDK app marks every resource with the lab it belongs to (`LAB_METADATA`).
 */

export const LABS = ['streaming', 'aggregation', 'persistence', 'datalake', 'sensors', 'weblogs'] as const;
export type Lab = (typeof LABS)[number];

export interface LabInfo {
  /** The lab's title, as the workshop names it. */
  readonly title: string;
  /** Labs this one builds on: it reads their streams or writes into their bucket. */
  readonly needs: readonly Lab[];
}

export const LAB_INFO: { readonly [L in Lab]: LabInfo } = {
  streaming: { title: 'Real-time streaming (streams, producer access, dashboard)', needs: [] },
  aggregation: { title: 'Stream aggregation (per-minute summaries)', needs: ['streaming'] },
  persistence: { title: 'Stream processing (summaries to DynamoDB)', needs: ['aggregation'] },
  datalake: { title: 'Data lake (Firehose, S3, Glue, Athena)', needs: ['streaming'] },
  // The sensor pipeline writes its CSV alerts into the data lake's bucket and Glue database.
  sensors: { title: 'IoT sensors', needs: ['datalake'] },
  // Not a data dependency: the deployment's main stack (alarm topic, region output) is built
  // around the telemetry stream, and the log-shipping stack sits beside it.
  weblogs: { title: 'Log shipping (web server, Kinesis Agent)', needs: ['streaming'] },
};

/**
 * The Wild Rydes labs, without the IoT sensors and log shipping: those each add streams (and
 * for logs an instance) that most workshops never use, so they are chosen explicitly.
 */
export const DEFAULT_LABS: readonly Lab[] = ['streaming', 'aggregation', 'persistence', 'datalake'];

/** Every lab: the system as the original workshop deploys it. */
export const ALL_LABS: readonly Lab[] = LABS;

/** The template metadata key that carries the lab a resource belongs to. */
export const LAB_METADATA = 'WildRydes::Lab';

/** A selection that cannot be deployed: the message is one line saying what to change. */
export class LabSelectionError extends Error {}

export const isLab = (name: string): name is Lab => (LABS as readonly string[]).includes(name);

/**
 * Parses a lab list as people write it: `streaming,aggregation`, `all`, `default`, or
 * `default,sensors`. `source` names where it came from in messages (`Context "labs"`).
 */
export function parseLabList(text: string, source: string): Lab[] {
  const names = text
    .split(',')
    .map((name) => name.trim())
    .filter((name) => name !== '');
  if (names.length === 0) {
    throw new LabSelectionError(`${source} must name at least one lab (${LABS.join(', ')}), got "${text}"`);
  }
  return names.flatMap((name): readonly Lab[] => {
    if (name === 'all') return ALL_LABS;
    if (name === 'default') return DEFAULT_LABS;
    if (isLab(name)) return [name];
    throw new LabSelectionError(
      `${source}: unknown lab "${name}" (labs: ${LABS.join(', ')}; or all, default)`,
    );
  });
}

/**
 * Checks a selection and puts it in the canonical order (the order of `LABS`, duplicates
 * removed). A lab whose prerequisite is missing is refused, naming both and the list that
 * would work, rather than silently deploying more than was asked for.
 */
export function resolveLabs(requested: readonly Lab[], source = 'labs'): Lab[] {
  const chosen = new Set(requested);
  for (const lab of LABS) {
    if (!chosen.has(lab)) continue;
    const missing = LAB_INFO[lab].needs.filter((need) => !chosen.has(need));
    if (missing.length > 0) {
      throw new LabSelectionError(
        `${source}: lab "${lab}" needs ${missing.map((m) => `"${m}"`).join(' and ')}; use ${withPrerequisites(requested).join(',')}`,
      );
    }
  }
  return LABS.filter((lab) => chosen.has(lab));
}

/** `requested` with every lab it needs, directly or not, in canonical order. */
export function withPrerequisites(requested: readonly Lab[]): Lab[] {
  const chosen = new Set<Lab>();
  const add = (lab: Lab): void => {
    if (chosen.has(lab)) return;
    chosen.add(lab);
    LAB_INFO[lab].needs.forEach(add);
  };
  requested.forEach(add);
  return LABS.filter((lab) => chosen.has(lab));
}
