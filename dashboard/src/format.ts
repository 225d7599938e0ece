/** How the page words numbers, times and states. Pure, so it is tested without a browser. */

import { kilometresPerHour } from '#core/speed';
import type { ConnectionState } from './stream-reader';

export function formatSpeed(metresPerSecond: number | undefined): string {
  if (metresPerSecond === undefined) return '– (after its next record)';
  return `${metresPerSecond.toFixed(1)} m/s (${Math.round(kilometresPerHour(metresPerSecond))} km/h)`;
}

/** Short form for the list: "111 km/h". */
export function formatSpeedShort(metresPerSecond: number | undefined): string {
  return metresPerSecond === undefined ? '' : `${Math.round(kilometresPerHour(metresPerSecond))} km/h`;
}

export function formatPosition(lat: number, lon: number): string {
  const ns = lat >= 0 ? 'N' : 'S';
  const ew = lon >= 0 ? 'E' : 'W';
  return `${Math.abs(lat).toFixed(5)}° ${ns}, ${Math.abs(lon).toFixed(5)}° ${ew}`;
}

export function formatDistance(metres: number): string {
  return metres >= 1000 ? `${(metres / 1000).toFixed(2)} km` : `${metres.toFixed(1)} m`;
}

export function formatAge(ms: number): string {
  const seconds = Math.max(0, Math.floor(ms / 1000));
  if (seconds < 1) return 'just now';
  if (seconds < 60) return `${seconds} s ago`;
  return `${Math.floor(seconds / 60)} min ${seconds % 60} s ago`;
}

/** Label and detail of the connection indicator. */
export function describeState(state: ConnectionState): { label: string; detail: string } {
  switch (state.kind) {
    case 'connecting':
      return { label: 'Connecting', detail: '' };
    case 'live':
      return { label: 'Live', detail: state.note ?? '' };
    case 'paused':
      return { label: 'Paused', detail: 'reading resumes when this tab is visible' };
    case 'error':
      return { label: 'Error', detail: state.reason };
  }
}

/** A stable colour per name, so a unicorn keeps its colour across reloads. */
export function colourFor(name: string): string {
  let hash = 2166136261;
  for (let i = 0; i < name.length; i++) hash = Math.imul(hash ^ name.charCodeAt(i), 16777619);
  return `hsl(${(hash >>> 0) % 360} 70% 45%)`;
}

const collator = new Intl.Collator('en', { numeric: true });

/** Names in natural order (Unicorn-2 before Unicorn-10); distinct names never compare equal. */
export function compareNames(a: string, b: string): number {
  return collator.compare(a, b) || (a < b ? -1 : a > b ? 1 : 0);
}
