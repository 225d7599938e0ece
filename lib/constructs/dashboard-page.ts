import { dashboardFiles } from '../../dashboard/build';
import { buildKey, cachedBuild, PACKAGES } from './build-cache';

/** What the page's build reads: the dashboard folder (sources, page, build script), the domain code, the packages. */
const DASHBOARD_INPUTS = ['dashboard', 'core', ...PACKAGES];

/**
 * The Unicorn Dashboard's built page (`dashboardFiles()`: script, source map, page, styles,
 * Leaflet's files), from the build cache when nothing the build reads has changed.
 */
export function dashboardPageBuild(): Map<string, Uint8Array> {
  return cachedBuild('dashboard', buildKey(DASHBOARD_INPUTS, {}), dashboardFiles);
}
