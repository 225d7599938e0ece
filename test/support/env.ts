// The project runs on Node 20 here (see README); the SDK's advance notice about Node 22 is noise in tests.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';
// Handlers' Powertools logger and metrics stay quiet unless a test injects its own.
process.env.POWERTOOLS_LOG_LEVEL ??= 'SILENT';
process.env.POWERTOOLS_METRICS_DISABLED ??= 'true';

// Every CDK App a test creates is template-only unless it asks for more (test/support/synth.ts):
// its assets are not bundled (no esbuild run; an asset's hash is then derived from its construct
// path), and CDK's built-in CloudFormation template validation is off. The handler bundles are
// built and exercised by the suites that run them (`synthesizeAssembly`), the dashboard's by its
// asset test, and template validation runs in test/lib/template-validation.test.ts.
process.env.CDK_VALIDATION ??= 'false';
process.env.CDK_CONTEXT_JSON ??= JSON.stringify({ 'aws:cdk:bundling-stacks': [] });
