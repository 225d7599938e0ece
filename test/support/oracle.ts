import type { UnicornStatus } from '#core/telemetry';

/**
 * Per-minute totals computed the obvious way, independently of the production code, from the
 * statuses of one unicorn: what every aggregation test compares against.
 */
export function expectedTotals(statuses: readonly UnicornStatus[], name: string) {
  const mine = statuses.filter((s) => s.Name === name);
  return {
    // In whole centimetres, as the records give it, so the sum is exact.
    Distance: mine.reduce((sum, s) => sum + Math.round(s.Distance * 100), 0) / 100,
    MinMagicPoints: Math.min(...mine.map((s) => s.MagicPoints)),
    MaxMagicPoints: Math.max(...mine.map((s) => s.MagicPoints)),
    MinHealthPoints: Math.min(...mine.map((s) => s.HealthPoints)),
    MaxHealthPoints: Math.max(...mine.map((s) => s.HealthPoints)),
    Records: mine.length,
  };
}
