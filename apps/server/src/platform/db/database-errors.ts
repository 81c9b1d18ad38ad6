import { isDatabaseUnavailable } from './availability';
import { AppError } from '../../kernel/errors';

/** A database that cannot be reached becomes the typed 503 (clients retry); anything else is rethrown as it is. */
export function rethrowUnavailable(err: unknown): never {
  if (isDatabaseUnavailable(err)) throw new AppError('database-unavailable');
  throw err;
}

/** Awaits a database call, turning unavailability into the typed 503. */
export async function guard<T>(p: Promise<T>): Promise<T> {
  try {
    return await p;
  } catch (err) {
    rethrowUnavailable(err);
  }
}
