/**
 * An error a route throws to answer with a 4xx/5xx status; the error handler turns it into the JSON error body.
 * The message goes to the client; a `cause` (what a dependency said) goes only to the log.
 */
export class HttpError extends Error {
  override name = 'HttpError';
  constructor(
    readonly statusCode: number,
    message: string,
    readonly headers: Record<string, string> = {},
    cause?: unknown,
  ) {
    super(message, cause === undefined ? undefined : { cause });
  }
}

export const badRequest = (message: string) => new HttpError(400, message);
export const notFound = (message: string) => new HttpError(404, message);
export const forbidden = (message: string) => new HttpError(403, message);
export const unauthorized = (message: string, error = 'invalid_token') =>
  new HttpError(401, message, { 'www-authenticate': `Bearer realm="fullstop", error="${error}"` });
export const serviceUnavailable = (message: string, cause?: unknown) => new HttpError(503, message, {}, cause);
