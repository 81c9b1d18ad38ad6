import { AppError } from '../kernel/errors';

/** Keys that reach an object's prototype when code copies or merges parsed data: refused anywhere in a body. */
const FORBIDDEN_KEYS = new Set(['__proto__', 'constructor', 'prototype']);
/** Text that may hold one of them, literally or escaped; anything else parses without the key walk. */
const MAY_HOLD_FORBIDDEN = /__proto__|constructor|prototype|\\u/;

/**
 * Parses a JSON body, over HTTP (the app's application/json parser) and over the ingest socket (each
 * message): one path for both transports. A forbidden key is a 400 naming it, however it is escaped.
 */
export function parseJsonBody(text: string): unknown {
  if (text.length === 0) throw new AppError('malformed-json', '/body: the body is empty');
  const check = MAY_HOLD_FORBIDDEN.test(text);
  try {
    return check
      ? JSON.parse(text, (key, value: unknown) => {
          if (FORBIDDEN_KEYS.has(key)) throw new ForbiddenKey(key);
          return value;
        })
      : JSON.parse(text);
  } catch (err) {
    if (err instanceof ForbiddenKey) throw new AppError('invalid-request', `/body: the key "${err.key}" is not allowed anywhere in a body`);
    throw new AppError('malformed-json', `/body: not valid JSON (${(err as Error).message})`);
  }
}

class ForbiddenKey extends Error {
  constructor(readonly key: string) {
    super(key);
  }
}
