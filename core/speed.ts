import { haversineMetres, type Position } from './geo';

/** Where a unicorn was at a moment: its reported position and status time (ms since the epoch). */
export interface Fix {
  readonly position: Position;
  readonly time: number;
}

/**
 * Ground speed in metres per second between two successive fixes: the great-circle distance
 * between the positions over the time between them. This is measured from where the unicorn
 * was seen, independently of the Distance field the producer reports. Undefined when no time
 * passed (a repeated record) or time ran backwards, since no speed follows from that.
 */
export function speedBetween(previous: Fix, next: Fix): number | undefined {
  const seconds = (next.time - previous.time) / 1000;
  if (!(seconds > 0)) return undefined;
  return haversineMetres(previous.position, next.position) / seconds;
}

/** Metres per second to kilometres per hour. */
export const kilometresPerHour = (metresPerSecond: number) => metresPerSecond * 3.6;
