import { isDatabaseUnavailable } from './availability';
import { AppError } from '../../kernel/errors';

/** A database that cannot be reached becomes the typed 503 (clients retry); anything else is rethrown as it is. */
export function rethrowUnavailable(err: unknown): never {
  if (isDatabaseUnavailable(err)) throw new AppError('database-unavailable');
  throw err;
}

/** The database could not be reached: as the driver reports it, or as the typed 503 it was turned into. */
export function isUnavailable(err: unknown): boolean {
  return isDatabaseUnavailable(err) || (err instanceof AppError && err.code === 'database-unavailable');
}

/** Awaits a database call, turning unavailability into the typed 503. */
export async function guard<T>(p: Promise<T>): Promise<T> {
  try {
    return await p;
  } catch (err) {
    rethrowUnavailable(err);
  }
}
