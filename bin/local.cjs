#!/usr/bin/env node
// `npm start`: runs the local pipeline's TypeScript entry point through tsx.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
require('tsx/cjs');
require('./local.ts');
