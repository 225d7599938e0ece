/**
 * Resolves CloudFormation intrinsic functions in a template value against local stand-ins of
 * its resources: `Ref` and `Fn::GetAtt` give the local name, URL or ARN of a resource, and
 * `Fn::Join`, `Fn::Sub`, `Fn::Select`, `Fn::Split` and `Fn::If`-free values are evaluated as
 * CloudFormation would. Whatever cannot be resolved locally is reported with the path to it.
 */

/** What a resource resolves to: `ref` for `Ref`, and its attributes for `Fn::GetAtt`. */
export interface ResolvedResource {
  readonly ref: string;
  readonly attributes: Readonly<Record<string, string>>;
}

export interface IntrinsicContext {
  readonly region: string;
  readonly accountId: string;
  readonly stackName: string;
  readonly resources: Readonly<Record<string, ResolvedResource>>;
  readonly parameters?: Readonly<Record<string, string>>;
}

export class UnresolvableError extends Error {}

function pseudo(name: string, ctx: IntrinsicContext): string | undefined {
  switch (name) {
    case 'AWS::Region':
      return ctx.region;
    case 'AWS::AccountId':
      return ctx.accountId;
    case 'AWS::Partition':
      return 'aws';
    case 'AWS::URLSuffix':
      return 'amazonaws.com';
    case 'AWS::StackName':
      return ctx.stackName;
    case 'AWS::StackId':
      return `arn:aws:cloudformation:${ctx.region}:${ctx.accountId}:stack/${ctx.stackName}/local`;
    case 'AWS::NoValue':
      return undefined;
    default:
      return undefined;
  }
}

function ref(name: string, ctx: IntrinsicContext, where: string): string {
  const p = pseudo(name, ctx);
  if (p !== undefined) return p;
  if (ctx.parameters?.[name] !== undefined) return ctx.parameters[name];
  const resource = ctx.resources[name];
  if (!resource) throw new UnresolvableError(`${where}: Ref to "${name}", which is not run locally`);
  return resource.ref;
}

function getAtt(target: string, attribute: string, ctx: IntrinsicContext, where: string): string {
  const resource = ctx.resources[target];
  const value = resource?.attributes[attribute];
  if (value === undefined) {
    throw new UnresolvableError(`${where}: Fn::GetAtt ${target}.${attribute} is not available locally`);
  }
  return value;
}

function substitute(
  text: string,
  variables: Record<string, unknown>,
  ctx: IntrinsicContext,
  where: string,
): string {
  return text.replace(/\$\{([^}!][^}]*)\}/g, (_, name: string) => {
    if (name in variables) return String(resolve(variables[name], ctx, where));
    if (name.includes('.')) {
      const [target, ...attribute] = name.split('.');
      return getAtt(target, attribute.join('.'), ctx, where);
    }
    return ref(name, ctx, where);
  });
}

/** Evaluates every intrinsic function in `value`; `where` names the place for error messages. */
export function resolve(value: unknown, ctx: IntrinsicContext, where = 'template'): unknown {
  if (Array.isArray(value)) return value.map((v, i) => resolve(v, ctx, `${where}[${i}]`));
  if (value === null || typeof value !== 'object') return value;
  const entries = Object.entries(value as Record<string, unknown>);
  if (entries.length === 1) {
    const [key, arg] = entries[0];
    switch (key) {
      case 'Ref':
        return ref(String(arg), ctx, where);
      case 'Fn::GetAtt': {
        const [target, attribute] = Array.isArray(arg) ? arg : String(arg).split(/\.(.*)/);
        return getAtt(String(target), String(resolve(attribute, ctx, where)), ctx, where);
      }
      case 'Fn::Join': {
        const [separator, parts] = arg as [string, unknown[]];
        return (resolve(parts, ctx, where) as unknown[]).join(separator);
      }
      case 'Fn::Sub': {
        const [text, variables] = Array.isArray(arg) ? arg : [arg, {}];
        return substitute(String(text), variables as Record<string, unknown>, ctx, where);
      }
      case 'Fn::Select': {
        const [index, list] = arg as [unknown, unknown];
        return (resolve(list, ctx, where) as unknown[])[Number(resolve(index, ctx, where))];
      }
      case 'Fn::Split': {
        const [separator, text] = arg as [string, unknown];
        return String(resolve(text, ctx, where)).split(separator);
      }
      case 'Fn::GetAZs':
        return [`${ctx.region}a`, `${ctx.region}b`, `${ctx.region}c`];
      default:
        if (key.startsWith('Fn::')) throw new UnresolvableError(`${where}: ${key} is not supported locally`);
    }
  }
  return Object.fromEntries(entries.map(([k, v]) => [k, resolve(v, ctx, `${where}.${k}`)]));
}

/** A resolved string, or an error naming where a non-string came from. */
export function resolveString(value: unknown, ctx: IntrinsicContext, where: string): string {
  const resolved = resolve(value, ctx, where);
  if (typeof resolved !== 'string' && typeof resolved !== 'number') {
    throw new UnresolvableError(`${where}: expected a string, got ${JSON.stringify(resolved)}`);
  }
  return String(resolved);
}
