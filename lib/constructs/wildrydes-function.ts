import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import { Architecture, Runtime, RuntimeFamily } from 'aws-cdk-lib/aws-lambda';
import { NodejsFunction, OutputFormat, type NodejsFunctionProps } from 'aws-cdk-lib/aws-lambda-nodejs';
import { Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { Construct } from 'constructs';
import * as path from 'node:path';

/**
 * The newest Node.js runtime the installed aws-cdk-lib knows, found the same way cdk-nag's
 * AwsSolutions-L1 rule does, so upgrading aws-cdk-lib moves the functions forward with it.
 */
export function latestNodeRuntime(): Runtime {
  const version = (rt: Runtime) => Number(/^nodejs(\d+)/.exec(rt.name)?.[1] ?? 0);
  const node = Runtime.ALL.filter((rt) => rt.family === RuntimeFamily.NODEJS && version(rt) > 0);
  return node.reduce((newest, rt) => (version(rt) > version(newest) ? rt : newest));
}

/** The project root, where package.json and the lockfile live. */
export const PROJECT_ROOT = path.resolve(__dirname, '..', '..');

/**
 * NodejsFunction silently falls back to bundling in Docker when it cannot find esbuild. There
 * is no Docker here nor in CI, so a missing esbuild must be a clear error instead.
 */
function requireLocalEsbuild(): void {
  try {
    require.resolve('esbuild', { paths: [PROJECT_ROOT] });
  } catch {
    throw new Error(
      'esbuild is not installed: run `npm ci` so Lambda handlers are bundled locally (not in Docker).',
    );
  }
}

export interface WildRydesFunctionProps extends Omit<
  NodejsFunctionProps,
  'entry' | 'runtime' | 'logGroup' | 'role'
> {
  /** Handler folder under `lambda/`; the entry is its `handler.ts`. */
  readonly handlerDir: string;
  /**
   * Bundle the AWS SDK v3 clients into the function instead of using the runtime's copy.
   * Measured (see README, "Bundle sizes"): bundling adds a few hundred KB but pins the exact
   * client versions the tests ran against; the runtime's copy can lag or change under us.
   * @default true
   */
  readonly bundleAwsSdk?: boolean;
  /** @default RetentionDays.ONE_MONTH */
  readonly logRetention?: RetentionDays;
}

/**
 * A Node.js Lambda function with the project's defaults: newest Node.js runtime, arm64,
 * esbuild-minified with source maps, JSON logs in a log group that is deleted with the stack.
 * The caller's props win; `environment` and `bundling` are merged rather than replaced.
 */
export class WildRydesFunction extends NodejsFunction {
  constructor(scope: Construct, id: string, props: WildRydesFunctionProps) {
    requireLocalEsbuild();
    const { handlerDir, bundleAwsSdk = true, logRetention = RetentionDays.ONE_MONTH, ...rest } = props;
    const logGroup = new LogGroup(scope, `${id}Logs`, {
      retention: logRetention,
      removalPolicy: RemovalPolicy.DESTROY,
    });
    // Its own role instead of AWSLambdaBasicExecutionRole, whose log rights span every log group.
    const role = new Role(scope, `${id}Role`, {
      assumedBy: new ServicePrincipal('lambda.amazonaws.com'),
      description: `Runs ${handlerDir}`,
    });
    logGroup.grantWrite(role);
    super(scope, id, {
      // Graviton: about 20% cheaper per GB-second than x86 for the same JavaScript.
      architecture: Architecture.ARM_64,
      memorySize: 256,
      timeout: Duration.seconds(60),
      ...rest,
      entry: path.join(PROJECT_ROOT, 'lambda', handlerDir, 'handler.ts'),
      handler: 'handler',
      runtime: latestNodeRuntime(),
      projectRoot: PROJECT_ROOT,
      depsLockFilePath: path.join(PROJECT_ROOT, 'package-lock.json'),
      logGroup,
      role,
      environment: {
        // Stack traces point at the TypeScript source.
        NODE_OPTIONS: '--enable-source-maps',
        POWERTOOLS_LOG_LEVEL: 'INFO',
        ...rest.environment,
      },
      bundling: {
        minify: true,
        sourceMap: true,
        // Line numbers are enough in stack traces; embedding the sources would double the bundle.
        sourcesContent: false,
        format: OutputFormat.CJS,
        externalModules: bundleAwsSdk ? [] : ['@aws-sdk/*'],
        forceDockerBundling: false,
        ...rest.bundling,
      },
    });
  }
}
