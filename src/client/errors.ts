/**
 * Typed failures of the HTTP client. The CLI maps each class to an exit code, so the class says whose fault
 * it is: AuthError (the token), ApiError (the server answered no), NetworkError/TimeoutError (no answer),
 * InvalidResponseError (an answer we cannot read).
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

/** The request never got an answer: DNS, refused connection, reset socket. */
export class NetworkError extends Error {
  override name = 'NetworkError';
}

/** No answer within the configured timeout. */
export class TimeoutError extends Error {
  override name = 'TimeoutError';
}

/** The caller aborted the request (Ctrl-C). */
export class AbortedError extends Error {
  override name = 'AbortedError';
}

/** The server answered 2xx but with a body that is not what the API promises (malformed JSON, wrong shape). */
export class InvalidResponseError extends Error {
  override name = 'InvalidResponseError';
}
