/**
 * Imported first by bin/wildrydes.ts, so that the bundles start building before the CDK
 * modules load (imports run in order, before the importing module's own code).
 */
import { prebuildAssets } from './asset-prebuild';

prebuildAssets();
