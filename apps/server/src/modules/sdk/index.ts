/** The recorder's browser build served to pages: /sdk/recorder.js and /sdk/recorder@<version>.js. */
export { sdkRoutes } from './sdk.routes';
export { sriOf } from './sdk.service';
