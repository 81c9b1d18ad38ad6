import type { IncomingMessage } from 'node:http';

/**
 * Reads and discards what is left of a refused body, up to `limit` bytes, before the 413 is sent:
 * a client still sending when the server answers and closes gets a reset instead of the answer
 * (`fetch` reports "fetch failed"). Past the limit the server stops reading and answers anyway.
 */
export function discardBody(raw: IncomingMessage, limit: number): Promise<void> {
  const declared = Number(raw.headers['content-length']);
  if (raw.complete || raw.readableEnded || raw.destroyed || (Number.isFinite(declared) && declared > limit)) return Promise.resolve();
  return new Promise((resolve) => {
    let seen = 0;
    const done = () => {
      raw.off('data', onData);
      raw.off('end', done);
      raw.off('close', done);
      raw.off('error', done);
      resolve();
    };
    const onData = (chunk: Buffer) => {
      seen += chunk.length;
      if (seen > limit) {
        raw.pause();
        done();
      }
    };
    raw.on('data', onData);
    raw.once('end', done);
    raw.once('close', done);
    raw.once('error', done);
    raw.resume();
  });
}
