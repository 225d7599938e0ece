#!/usr/bin/env node
// Package bin: runs the TypeScript entry point through tsx.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
require('tsx/cjs');
require('./redrive.ts');
