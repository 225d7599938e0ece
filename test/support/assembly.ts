import { App } from 'aws-cdk-lib';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { buildApp } from '../../lib/app';
import { DEFAULT_CONFIG, type WildRydesConfig } from '../../lib/config';

/**
 * Synthesizes the app exactly as `bin/` does (handler bundles included) into a temporary
 * cloud assembly, for the local runtime's tests; `remove` deletes it.
 */
export function synthesizeAssembly(config: Partial<WildRydesConfig> = {}) {
  const dir = mkdtempSync(path.join(tmpdir(), 'wildrydes-assembly-'));
  const app = new App({ outdir: dir });
  buildApp(app, { ...DEFAULT_CONFIG, ...config });
  app.synth();
  return { dir, remove: () => rmSync(dir, { recursive: true, force: true }) };
}
