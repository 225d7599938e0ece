import { Session } from 'node:inspector/promises';
import * as path from 'node:path';
import { performance } from 'node:perf_hooks';
import { round } from './stats';

export interface Hotspot {
  /** `function (file)`, a package (`kinesalite`), or a V8 pseudo-frame such as `(garbage collector)`. */
  readonly frame: string;
  /** Share of the busy samples spent in the frame itself. */
  readonly selfPercent: number;
}

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string };
}

interface Profile {
  nodes: ProfileNode[];
  samples?: number[];
  timeDeltas?: number[];
}

const IDLE = new Set(['(idle)', '(program)', '(root)']);
const ROOT = path.resolve(__dirname, '..');

/** `node_modules/kinesalite/db/index.js` → `kinesalite`; project files by folder; Node's own as `node`. */
function packageOf(url: string): string {
  const file = url.replace(/^file:\/\//, '');
  const modules = file.lastIndexOf('node_modules/');
  if (modules >= 0) {
    const [scope, name] = file.slice(modules + 'node_modules/'.length).split('/');
    return scope.startsWith('@') ? `${scope}/${name}` : scope;
  }
  if (file.startsWith('node:') || !file.startsWith('/')) return 'node';
  return `${path.relative(ROOT, file).split(path.sep)[0]}/`;
}

function summarize(profile: Profile, by: 'function' | 'package', top: number): Hotspot[] {
  const nodes = new Map(profile.nodes.map((n) => [n.id, n]));
  const self = new Map<string, number>();
  let busy = 0;
  profile.samples?.forEach((id, i) => {
    const frame = nodes.get(id)!.callFrame;
    if (IDLE.has(frame.functionName)) return;
    const dt = profile.timeDeltas?.[i] ?? 0;
    let key: string;
    if (!frame.url)
      key =
        by === 'package' && frame.functionName.startsWith('(')
          ? frame.functionName
          : by === 'package'
            ? 'node'
            : frame.functionName || '(native)';
    else if (by === 'package') key = packageOf(frame.url);
    else
      key = `${frame.functionName || '(anonymous)'} (${path.relative(ROOT, frame.url.replace(/^file:\/\//, ''))})`;
    self.set(key, (self.get(key) ?? 0) + dt);
    busy += dt;
  });
  return [...self]
    .sort((a, b) => b[1] - a[1])
    .slice(0, top)
    .map(([frame, t]) => ({ frame, selfPercent: round((t / busy) * 100, 1) }));
}

/** Starts V8's sampling profiler on this thread; `stop` returns the frames with the most self time. */
export async function startProfiling(intervalMicros = 200) {
  const session = new Session();
  session.connect();
  await session.post('Profiler.enable');
  await session.post('Profiler.setSamplingInterval', { interval: intervalMicros });
  await session.post('Profiler.start');
  return {
    async stop(by: 'function' | 'package' = 'function', top = 8): Promise<Hotspot[]> {
      try {
        const { profile } = await session.post('Profiler.stop');
        return summarize(profile as Profile, by, top);
      } finally {
        await session.post('Profiler.disable').catch(() => undefined);
        session.disconnect();
      }
    },
  };
}

/** Where the time of `work` goes, repeated for `ms` under the profiler. */
export async function hotspots(work: () => unknown, ms: number, top = 8): Promise<Hotspot[]> {
  const profiler = await startProfiling();
  const end = performance.now() + ms;
  while (performance.now() < end) await work();
  return profiler.stop('function', top);
}
