import { createHash } from 'node:crypto';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { DEFAULT_LABS } from '#core/labs';
import { buildApp } from '../../lib/app';
import { DEFAULT_CONFIG, type WildRydesConfig } from '../../lib/config';
import { SHARED_ASSEMBLIES_ENV } from './global-setup';
import { bundlingApp } from './synth';

export interface Assembly {
  readonly dir: string;
  /** Deletes the assembly when it is this suite's own; a shared one stays until the run ends. */
  readonly remove: () => void;
}

/** Synthesizes the app exactly as `bin/` does, handler and dashboard bundles included, into `outdir`. */
function synthesizeInto(outdir: string, config: Partial<WildRydesConfig>): void {
  const app = bundlingApp({ outdir });
  buildApp(app, { ...DEFAULT_CONFIG, ...config });
  app.synth();
}

/**
 * The default labs plus the IoT sensors: the shape the local pipeline, query and assembly suites
 * share (one synth per run), since they exercise the sensor path too.
 */
export const WITH_SENSORS: Partial<WildRydesConfig> = { labs: [...DEFAULT_LABS, 'sensors'] };

const sleep = (ms: number) => Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
const isComplete = (dir: string) => existsSync(path.join(dir, 'manifest.json'));

/**
 * The cloud assembly of the app built from `config` (merged over the defaults), for the local
 * runtime's tests, which read it and never change it. Within a `jest` run every suite asking
 * for the same config gets the same folder: the first one synthesizes it while the others wait,
 * so each app shape is synthesized (and its handlers bundled) once per run. Outside a `jest`
 * run with the global setup, each call synthesizes a folder of its own.
 */
export function synthesizeAssembly(config: Partial<WildRydesConfig> = {}): Assembly {
  const shared = process.env[SHARED_ASSEMBLIES_ENV];
  if (!shared) {
    const dir = mkdtempSync(path.join(tmpdir(), 'wildrydes-assembly-'));
    synthesizeInto(dir, config);
    return { dir, remove: () => rmSync(dir, { recursive: true, force: true }) };
  }
  const key = createHash('sha256').update(JSON.stringify(config)).digest('hex').slice(0, 16);
  const dir = path.join(shared, `assembly-${key}`);
  const lock = `${dir}.lock`;
  const deadline = Date.now() + 300_000;
  while (!isComplete(dir)) {
    if (Date.now() > deadline) throw new Error(`Timed out waiting for another suite to synthesize ${dir}`);
    try {
      mkdirSync(lock); // atomic: only one suite synthesizes a given shape
    } catch {
      sleep(50);
      continue;
    }
    try {
      if (!isComplete(dir)) {
        const building = `${dir}.building`;
        rmSync(building, { recursive: true, force: true });
        synthesizeInto(building, config);
        renameSync(building, dir);
      }
    } finally {
      rmSync(lock, { recursive: true, force: true });
    }
  }
  return { dir, remove: () => undefined };
}

/** A stack template as the tests edit it: its resources by logical id. */
export interface EditableTemplate {
  Resources: Record<string, { Type: string; Properties: Record<string, unknown> }>;
}

/**
 * A copy of the assembly in `source` with each stack template as `edit` leaves it (`edit` is
 * given the template and its file name); everything else, the bundles included, is linked,
 * not copied. The copy is a new folder in the temporary directory, named from `prefix`, that
 * the caller deletes.
 */
export function editedAssembly(
  source: string,
  prefix: string,
  edit: (template: EditableTemplate, file: string) => void,
): string {
  const dir = mkdtempSync(path.join(tmpdir(), prefix));
  try {
    for (const entry of readdirSync(source)) {
      const from = path.join(source, entry);
      if (entry.endsWith('.template.json')) {
        const template = JSON.parse(readFileSync(from, 'utf8')) as EditableTemplate;
        edit(template, entry);
        writeFileSync(path.join(dir, entry), JSON.stringify(template));
      } else symlinkSync(from, path.join(dir, entry));
    }
  } catch (error) {
    rmSync(dir, { recursive: true, force: true });
    throw error;
  }
  return dir;
}
