/**
 * Imported first by bin/wildrydes.ts, so that the bundles the build cache does not hold start
 * building before the CDK modules load (imports run in order, before the importing module's code).
 */
import { prebuildAssets } from './asset-prebuild';
import { dashboardPageCached } from './constructs/dashboard-page';
import { handlerBundlesCached } from './constructs/handler-bundles';

prebuildAssets({
  handlers: (outdir) => !handlerBundlesCached(outdir),
  dashboard: () => !dashboardPageCached(),
});
