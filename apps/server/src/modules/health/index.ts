/** Liveness, readiness and Prometheus metrics. */
export { healthRoutes } from './health.routes';
