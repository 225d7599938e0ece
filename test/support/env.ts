// The project runs on Node 20 here (see README); the SDK's advance notice about Node 22 is noise in tests.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';
// Handlers' Powertools logger and metrics stay quiet unless a test injects its own.
process.env.POWERTOOLS_LOG_LEVEL ??= 'SILENT';
process.env.POWERTOOLS_METRICS_DISABLED ??= 'true';
