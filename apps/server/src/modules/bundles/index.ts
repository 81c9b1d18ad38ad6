/** The bundles module: a verified offline bundle stored as an ended session. */
export { bundlesRoutes } from './bundles.routes';
export { createBundlesService, type BundlesService } from './bundles.service';
