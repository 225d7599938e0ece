import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';

/**
 * An environment with no AWS configuration at all: no credentials, region or profile (HOME
 * points at an empty folder) and no instance metadata lookups, so nothing leaves 127.0.0.1.
 */
export function cleanEnv(extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(process.env)) if (!key.startsWith('AWS_')) env[key] = value;
  return {
    ...env,
    HOME: mkdtempSync(path.join(tmpdir(), 'home-')),
    AWS_EC2_METADATA_DISABLED: 'true',
    // A local pipeline running in this folder must not change what the commands under test see.
    WILDRYDES_ENDPOINTS_FILE: 'none',
    AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
    ...extra,
  };
}
