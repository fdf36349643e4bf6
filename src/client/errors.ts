/**
 * Typed failures of the HTTP client. The CLI maps each class to an exit code, so the class says whose fault
 * it is: AuthError (the token), ApiError (the server answered no), NetworkError/TimeoutError (no answer),
 * InvalidResponseError (an answer we cannot read), OutcomeUnknownError (a change that may or may not have happened).
 */

export interface RequestInfo {
  method: string;
  url: string;
}

/** The server answered with a non-2xx status. `message` is the server's own explanation when it gave one. */
export class ApiError extends Error {
  override name = 'ApiError';
  readonly status: number;
  readonly method: string;
  readonly url: string;

  constructor(status: number, request: RequestInfo, message: string) {
    super(message);
    this.status = status;
    this.method = request.method;
    this.url = request.url;
  }
}

/** 401 or 403: the token is missing, invalid or lacks the rights for this account. */
export class AuthError extends ApiError {
  override name = 'AuthError';
}

/**
 * Where an exchange broke: before a connection stood (`connect`: DNS, refused; the request was not sent), after the
 * request went out and before an answer (`request`), or while the answer's body arrived (`body`).
 */
export type ExchangePhase = 'connect' | 'request' | 'body';

/** The request got no complete answer: DNS, refused connection, a connection closed or reset mid-way. */
export class NetworkError extends Error {
  override name = 'NetworkError';
  readonly phase: ExchangePhase;
  /** How many times the request was sent before giving up (1 + retries). */
  attempts = 1;

  constructor(message: string, options: ErrorOptions & { phase?: ExchangePhase } = {}) {
    super(message, options);
    this.phase = options.phase ?? 'request';
  }
}

/** No complete answer within the configured timeout. */
export class TimeoutError extends Error {
  override name = 'TimeoutError';
}

/** The caller aborted the request (Ctrl-C). */
export class AbortedError extends Error {
  override name = 'AbortedError';
}

/**
 * A request that changes something (a resolution) failed so that its effect is unknown: the answer was lost, cut
 * off, late, unreadable, or came from a gateway (502, 504). The server may or may not have applied it. Such a
 * request is never retried, so it was applied at most once; `cause` is the failure itself.
 */
export class OutcomeUnknownError extends Error {
  override name = 'OutcomeUnknownError';
  declare readonly cause: Error;

  constructor(cause: Error) {
    super(`${cause.message}; it may or may not have been applied`, { cause });
  }
}

/** The server answered 2xx but with a body that is not what the API promises (malformed JSON, wrong shape). */
export class InvalidResponseError extends Error {
  override name = 'InvalidResponseError';
}
