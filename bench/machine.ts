import { readFileSync } from 'node:fs';
import * as os from 'node:os';
import { round } from './stats';

export interface Machine {
  readonly cpu: string;
  readonly cores: number;
  readonly memoryGiB: number;
  readonly os: string;
  readonly node: string;
  readonly date: string;
  /** 1, 5 and 15-minute load averages when the bench started and when it ended. */
  readonly loadAverage: { readonly start: number[]; readonly end?: number[] };
}

const loadAverage = () => os.loadavg().map((l) => round(l, 2));

export function describeMachine(): Machine {
  return {
    cpu: os.cpus()[0]?.model.trim() ?? 'unknown',
    cores: os.availableParallelism(),
    memoryGiB: round(os.totalmem() / 1024 ** 3, 1),
    os: `${os.type()} ${os.release()} ${os.arch()}`,
    node: process.version,
    date: new Date().toISOString(),
    loadAverage: { start: loadAverage() },
  };
}

export function finishMachine(machine: Machine): Machine {
  return { ...machine, loadAverage: { ...machine.loadAverage, end: loadAverage() } };
}

/** Linux reports thread CPU time in clock ticks of 1/100 s (USER_HZ). */
const TICKS_PER_SECOND = 100;

/**
 * CPU seconds used so far by this process's main thread (Linux), or by the whole process
 * (worker threads included) where per-thread figures are not available.
 */
export function mainThreadCpuSeconds(): { seconds: number; mainThreadOnly: boolean } {
  try {
    const stat = readFileSync(`/proc/self/task/${process.pid}/stat`, 'utf8');
    // Fields after the command name (which may contain spaces): utime and stime are 14 and 15.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return { seconds: (Number(fields[11]) + Number(fields[12])) / TICKS_PER_SECOND, mainThreadOnly: true };
  } catch {
    const usage = process.cpuUsage();
    return { seconds: (usage.user + usage.system) / 1e6, mainThreadOnly: false };
  }
}

/** Busy and total CPU ticks of the whole machine so far (Linux); undefined elsewhere. */
export function machineCpuTicks(): { busy: number; total: number } | undefined {
  try {
    const [, ...values] = readFileSync('/proc/stat', 'utf8').split('\n')[0].trim().split(/\s+/);
    const ticks = values.slice(0, 8).map(Number); // user nice system idle iowait irq softirq steal
    const total = ticks.reduce((a, b) => a + b, 0);
    return { busy: total - ticks[3] - ticks[4], total };
  } catch {
    return undefined;
  }
}

/** Share of all cores busy between two readings of machineCpuTicks, in percent. */
export function machineBusyPercent(
  before: ReturnType<typeof machineCpuTicks>,
  after: ReturnType<typeof machineCpuTicks>,
): number | undefined {
  if (!before || !after || after.total === before.total) return undefined;
  return round(((after.busy - before.busy) / (after.total - before.total)) * 100);
}
