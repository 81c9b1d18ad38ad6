import { Type } from '@sinclair/typebox';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { RouteDeps } from '../../http/route-deps';
import { AppError } from '../../kernel/errors';
import { createSdkFiles, type SdkBuild } from './sdk.service';

/** The unversioned file follows the build: browsers keep it for five minutes. */
const SHORT_CACHE = 'public, max-age=300';
/** A versioned file never changes: a year, and no revalidation. */
const IMMUTABLE = 'public, max-age=31536000, immutable';

function send(req: FastifyRequest, reply: FastifyReply, build: SdkBuild, cacheControl: string) {
  const etag = `"${build.integrity}"`;
  // Any page may load it (a module script is fetched in CORS mode, and integrity needs CORS); it
  // carries no credential and answers the same to everyone.
  reply
    .header('access-control-allow-origin', '*')
    .header('cross-origin-resource-policy', 'cross-origin')
    .header('cache-control', cacheControl)
    .header('etag', etag);
  if (req.headers['if-none-match'] === etag) return reply.code(304).send();
  return reply.type('text/javascript; charset=utf-8').send(build.js);
}

/**
 * The recorder for pages to load from this server: `/sdk/recorder.js` (the current build, short
 * cache) and `/sdk/recorder@<version>.js` (immutable; the README's embed snippet pins it with its
 * SRI hash). Both are the file `node packages/recorder/build.mjs` writes into `config.sdkDir`.
 */
export const sdkRoutes: FastifyPluginAsyncTypebox<RouteDeps> = async (app, { config }) => {
  const sdk = createSdkFiles(config.sdkDir);
  app.get('/sdk/recorder.js', { config: { access: 'anyone' }, schema: { hide: true } }, async (req, reply) =>
    send(req, reply, await sdk.current(), SHORT_CACHE),
  );
  app.get(
    '/sdk/recorder@:version.js',
    { config: { access: 'anyone' }, schema: { hide: true, params: Type.Object({ version: Type.String({ maxLength: 64 }) }) } },
    async (req, reply) => {
      const build = await sdk.current();
      // This server holds one build: another version is not here (and must never be served under its name).
      if (req.params.version !== build.version) throw new AppError('not-found', `this server serves the recorder ${build.version}, not ${req.params.version}`);
      return send(req, reply, build, IMMUTABLE);
    },
  );
};
