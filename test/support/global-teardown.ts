import { rmSync } from 'node:fs';
import { SHARED_ASSEMBLIES_ENV } from './global-setup';

/** After a `jest` run: removes the shared cloud assemblies. */
export default function globalTeardown(): void {
  const dir = process.env[SHARED_ASSEMBLIES_ENV];
  if (dir) rmSync(dir, { recursive: true, force: true });
}
