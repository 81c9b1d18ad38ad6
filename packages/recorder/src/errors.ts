import { TransportError } from './transport';
import type { RecorderOptions, RecorderError } from './types';

/** Any failure as a TransportError; something unexpected counts as retryable (a network hiccup) until proven otherwise. */
export function asTransportError(e: unknown): TransportError {
  return e instanceof TransportError ? e : new TransportError(String(e), true);
}

/** A failure with a stable code for the host: 'storage', 'capture', 'emit', … */
export function recorderError(code: string, e: unknown): RecorderError {
  return { code, message: e instanceof Error ? e.message : String(e) };
}

/** A transport failure for the host: 'conflict' (409), 'server' or 'network' (retryable), else 'rejected'. */
export function transportFailure(err: TransportError): RecorderError {
  const code = err.status === 409 ? 'conflict' : err.retryable ? (err.status ? 'server' : 'network') : 'rejected';
  return { code, message: err.message, ...(err.status ? { status: err.status } : {}), ...(err.problem ? { problem: err.problem } : {}) };
}

/** Hands an error to the host's `onError`; the host's callback failing is not ours to throw. */
export function tellHost(opts: RecorderOptions, err: RecorderError): void {
  try {
    opts.onError?.(err);
  } catch {
    /* ignore */
  }
}
