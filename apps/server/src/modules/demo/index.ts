/** The demo sessions seeded by `veritas serve --demo`. */
export { demoRoutes } from './demo.routes';
