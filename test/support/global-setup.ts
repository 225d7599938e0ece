import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';

/** Names the folder where a `jest` run keeps the cloud assemblies its suites share (see ./assembly). */
export const SHARED_ASSEMBLIES_ENV = 'WILDRYDES_TEST_ASSEMBLIES';

/** Before a `jest` run: a folder for the cloud assemblies its suites share. */
export default function globalSetup(): void {
  process.env[SHARED_ASSEMBLIES_ENV] = mkdtempSync(path.join(tmpdir(), 'wildrydes-test-assemblies-'));
}
