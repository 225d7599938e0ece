import { AssetHashType, DockerImage, Duration, RemovalPolicy } from 'aws-cdk-lib';
import {
  Architecture,
  Code,
  Function,
  Runtime,
  RuntimeFamily,
  type FunctionProps,
} from 'aws-cdk-lib/aws-lambda';
import { Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { Construct } from 'constructs';
import { METRICS_NAMESPACE } from '#core/settings';
import { HandlerBundles, PROJECT_ROOT, type HandlerBundleSettings } from './handler-bundles';

export { PROJECT_ROOT };

/**
 * The newest Node.js runtime the installed aws-cdk-lib knows, found the same way cdk-nag's
 * AwsSolutions-L1 rule does, so upgrading aws-cdk-lib moves the functions forward with it.
 */
export function latestNodeRuntime(): Runtime {
  const version = (rt: Runtime) => Number(/^nodejs(\d+)/.exec(rt.name)?.[1] ?? 0);
  const node = Runtime.ALL.filter((rt) => rt.family === RuntimeFamily.NODEJS && version(rt) > 0);
  return node.reduce((newest, rt) => (version(rt) > version(newest) ? rt : newest));
}

/**
 * Without esbuild there is nothing to bundle the handlers with (and no Docker here nor in CI to
 * fall back on), so a missing esbuild is a clear error.
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
  FunctionProps,
  'code' | 'handler' | 'runtime' | 'logGroup' | 'role'
> {
  /** Handler folder under `lambda/`; the entry is its `handler.ts`, which exports `handler`. */
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
  /**
   * The service its Powertools logger and metrics name (the `service` key and dimension).
   * @default handlerDir
   */
  readonly serviceName?: string;
}

/**
 * The handler's bundle as a Lambda asset: esbuild-minified CommonJS with a source map and no
 * embedded sources, built for the function's runtime. Every handler is bundled by one esbuild
 * run per synth (`HandlerBundles`); the asset hash is the bundle's own, as with `NodejsFunction`.
 */
/** The esbuild settings of a function's bundle: its runtime's Node.js, the AWS SDK in or out. */
export function handlerBundleSettings(
  runtime = latestNodeRuntime(),
  bundleAwsSdk = true,
): HandlerBundleSettings {
  return {
    target: runtime.name.replace(/^nodejs(\d+).*$/, 'node$1'),
    external: bundleAwsSdk ? [] : ['@aws-sdk/*'],
  };
}

function handlerCode(handlerDir: string, runtime: Runtime, bundleAwsSdk: boolean): Code {
  const settings = handlerBundleSettings(runtime, bundleAwsSdk);
  return Code.fromAsset(PROJECT_ROOT, {
    assetHashType: AssetHashType.OUTPUT,
    bundling: {
      image: DockerImage.fromRegistry('scratch'), // never pulled: local bundling always succeeds or throws
      // Names the bundle, so that CDK tells the functions' assets apart; never run.
      command: ['esbuild', `lambda/${handlerDir}/handler.ts`, JSON.stringify(settings)],
      local: {
        tryBundle(outputDir: string) {
          HandlerBundles.writeBundle(handlerDir, outputDir, settings);
          return true;
        },
      },
    },
  });
}

/**
 * A Node.js Lambda function with the project's defaults: newest Node.js runtime, arm64,
 * esbuild-minified with source maps, JSON logs in a log group that is deleted with the stack,
 * Powertools naming its service and the app's one metrics namespace.
 * The caller's props win; `environment` is merged rather than replaced.
 */
export class WildRydesFunction extends Function {
  constructor(scope: Construct, id: string, props: WildRydesFunctionProps) {
    requireLocalEsbuild();
    const {
      handlerDir,
      bundleAwsSdk = true,
      logRetention = RetentionDays.ONE_MONTH,
      serviceName = handlerDir,
      ...rest
    } = props;
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
    const runtime = latestNodeRuntime();
    super(scope, id, {
      // Graviton: about 20% cheaper per GB-second than x86 for the same JavaScript.
      architecture: Architecture.ARM_64,
      memorySize: 256,
      timeout: Duration.seconds(60),
      ...rest,
      code: handlerCode(handlerDir, runtime, bundleAwsSdk),
      handler: 'index.handler',
      runtime,
      logGroup,
      role,
      environment: {
        // Stack traces point at the TypeScript source.
        NODE_OPTIONS: '--enable-source-maps',
        POWERTOOLS_LOG_LEVEL: 'INFO',
        POWERTOOLS_SERVICE_NAME: serviceName,
        POWERTOOLS_METRICS_NAMESPACE: METRICS_NAMESPACE,
        ...rest.environment,
      },
    });
  }
}
