/**
 * The test LMS, for other packages' tests (`@veritas/server/testing/lti`: the web app's Chromium test
 * of deep linking). Tests only: nothing in the server imports it.
 */
export { startTestPlatform, ROLE, type TestPlatform, type LaunchSpec } from './test-platform';
export { launch, type LaunchResult } from './lti-flow';
export { startDeepLinkReturn, type DeepLinkReturn, type Placement } from './test-platform-deep-linking';
