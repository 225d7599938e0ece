/**
 * Each unicorn's recent path, without any DOM: the positions of its last `durationMs` of
 * records, in time order, the newest always last. Memory is bounded per unicorn: a producer
 * reporting faster than the trail needs is thinned, and the trail never holds more than
 * `maxPoints` points.
 */

export interface TrailPoint {
  /** The record's StatusTime, ms since the epoch. */
  readonly time: number;
  readonly lat: number;
  readonly lon: number;
}

export interface TrailLimits {
  /** How far back a trail reaches from its newest point. 0: no trail at all. */
  readonly durationMs: number;
  /** The most points a trail holds. */
  readonly maxPoints: number;
}

/**
 * Each point is a segment the page strokes every frame, for every unicorn; thirty keep a
 * thousand trails cheap to draw and, a point every two seconds over a minute (60 m apart at
 * the workshop's 30 m/s), still follow a unicorn's curves.
 */
export const DEFAULT_TRAIL_POINTS = 32;

/**
 * The trail is a row of kept points at least `spacingMs` apart, then the newest point (the
 * head, where the unicorn is now). A new point replaces the head, unless the head is far
 * enough from the last kept point to be kept itself.
 */
export class Trail {
  private readonly kept: TrailPoint[] = [];
  private readonly spacingMs: number;

  constructor(private readonly limits: TrailLimits) {
    if (!(limits.maxPoints >= 3)) throw new Error(`a trail needs at least 3 points, got ${limits.maxPoints}`);
    // Kept points this far apart span the duration with the head and one point to spare.
    this.spacingMs = limits.durationMs / (limits.maxPoints - 2);
  }

  /** The points, oldest first. The array is the trail's own: read it, do not keep it. */
  get points(): readonly TrailPoint[] {
    return this.kept;
  }

  get newest(): TrailPoint | undefined {
    return this.kept.at(-1);
  }

  /**
   * Adds the unicorn's next position. A point not newer than the newest is ignored (the fleet
   * only passes records newer than the one shown, so this is a safeguard).
   * @returns whether the trail changed
   */
  add(point: TrailPoint): boolean {
    const { kept } = this;
    const newest = kept.at(-1);
    if (newest && point.time <= newest.time) return false;
    const lastKept = kept.at(-2);
    if (newest && lastKept && newest.time - lastKept.time < this.spacingMs) kept[kept.length - 1] = point;
    else kept.push(point);
    let drop = 0;
    while (drop < kept.length - 1 && point.time - kept[drop].time > this.limits.durationMs) drop += 1;
    drop = Math.max(drop, kept.length - this.limits.maxPoints);
    if (drop > 0) kept.splice(0, drop);
    return true;
  }
}
