import type { FastifyRequest } from 'fastify';
import type { Config } from '../config/config';
import type { Scope } from '../modules/sessions/sessions.repository';
import type { Services } from '../modules/services';

/** What every route plugin receives: the services, the configuration and how to scope a request. */
export interface RouteDeps {
  services: Services;
  config: Config;
  /** The tenant scope of a request. Anonymous callers get the public scope (tenant null). */
  scopeOf(req: FastifyRequest): Scope;
}
