import { dashboardFiles } from '../../dashboard/build';
import { buildKey, cachedBuild, isCached, PACKAGES } from './build-cache';

/** What the page's build reads: the dashboard folder (sources, page, build script), the domain code, the packages. */
const DASHBOARD_INPUTS = ['dashboard', 'core', ...PACKAGES];

/**
 * The Unicorn Dashboard's built page (`dashboardFiles()`: script, source map, page, styles,
 * Leaflet's files), from the build cache when nothing the build reads has changed.
 */
export function dashboardPageBuild(): Map<string, Uint8Array> {
  return cachedBuild('dashboard', dashboardBuildKey(), dashboardFiles);
}

/** The page build's key in the build cache. */
export function dashboardBuildKey(): string {
  return buildKey(DASHBOARD_INPUTS, {});
}

/** Whether the page of the current sources is in the build cache. */
export function dashboardPageCached(): boolean {
  return isCached('dashboard', dashboardBuildKey());
}
