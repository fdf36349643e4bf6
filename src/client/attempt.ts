/**
 * What one attempt of an HTTP exchange came to, and what a failed one means for sending it again: whether it may
 * help, and whether the server may have acted on the request (then a request that changes something must not be
 * sent again, or it could take effect twice).
 */
import { AbortedError, NetworkError, TimeoutError } from './errors.js';
import type { HttpResponse } from './http.js';
import type { ExchangeFailure } from './transport.js';

/**
 * One attempt: an answer, or a failure. `retryable`: trying again may help. `sent`: the server may have acted on
 * the request; false only when it cannot have (no connection; a 429 or 503, which ask to come back later).
 */
export type Attempt =
  { response: HttpResponse } | { failure: Error; retryable: boolean; sent: boolean; retryAfterMs?: number | undefined };

/**
 * The most telling reason in an error's cause chain: a system code such as `ECONNREFUSED` or `ENOTFOUND`, else
 * the innermost message (undici's own errors carry `UND_ERR_*` codes that say less than their message, e.g.
 * "other side closed").
 */
function networkReason(error: unknown): string {
  let innermost: string | undefined;
  for (let current = error as { code?: unknown; message?: unknown; cause?: unknown } | undefined; current;) {
    if (typeof current.code === 'string' && !current.code.startsWith('UND_ERR')) return current.code;
    if (typeof current.message === 'string' && current.message !== '') innermost = current.message;
    current = current.cause as typeof current;
  }
  return innermost ?? String(error);
}

/** Error codes of a connection that never stood, so the request cannot have been sent. */
const NOT_CONNECTED = new Set([
  'ECONNREFUSED',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EADDRNOTAVAIL',
  'UND_ERR_CONNECT_TIMEOUT',
]);

function neverConnected(error: unknown): boolean {
  for (let current = error as { code?: unknown; cause?: unknown } | undefined; current;) {
    const code = current.code;
    if (typeof code === 'string' && (NOT_CONNECTED.has(code) || code.startsWith('ERR_TLS_') || code.includes('CERT')))
      return true;
    current = current.cause as typeof current;
  }
  return false;
}

/** The attempt that `error` ended, with a message that names the server (`origin`) and the reason. */
export function failedExchange(error: ExchangeFailure, origin: string, timeoutMs: number): Attempt {
  const seconds = timeoutMs / 1000;
  if (error.reason === 'aborted') {
    return { failure: new AbortedError('interrupted', { cause: error }), retryable: false, sent: true };
  }
  if (error.reason === 'timeout') {
    const message = error.answered
      ? `the answer from ${origin} was not complete within ${seconds} s`
      : `no answer from ${origin} within ${seconds} s`;
    return { failure: new TimeoutError(message, { cause: error }), retryable: false, sent: true };
  }
  const reason = networkReason(error.cause);
  if (!error.answered && neverConnected(error.cause)) {
    const unreachable = new NetworkError(`could not reach ${origin} (${reason})`, { cause: error, phase: 'connect' });
    return { failure: unreachable, retryable: true, sent: false };
  }
  const message = error.answered
    ? `${origin} closed the connection before the answer was complete (${reason})`
    : `${origin} closed the connection without answering (${reason})`;
  const phase = error.answered ? 'body' : 'request';
  return { failure: new NetworkError(message, { cause: error, phase }), retryable: true, sent: true };
}
