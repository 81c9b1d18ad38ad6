/**
 * Tells a database that cannot be reached (answer 503, the client retries) from a bug (500).
 * SQLSTATE classes 08 (connection), 53 (resources), 57P (shutdown), and socket errors.
 */
export function isDatabaseUnavailable(err: unknown): boolean {
  if (!err || typeof err !== 'object') return false;
  const e = err as { code?: unknown; message?: unknown };
  const code = typeof e.code === 'string' ? e.code : '';
  if (/^(08|53|57P)/.test(code)) return true;
  if (['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'ENOTFOUND', 'EHOSTUNREACH'].includes(code)) return true;
  const msg = typeof e.message === 'string' ? e.message : '';
  // "timeout exceeded when trying to connect": pg-pool found no free connection in time (every one busy
  // under load): the database is saturated, not the request wrong.
  return /Connection terminated|connection timeout|timeout exceeded when trying to connect|Client has encountered a connection error|PGlite is closed|database system is (shutting down|starting up)/i.test(
    msg,
  );
}
