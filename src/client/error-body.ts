/**
 * Extracts a human message from an error body. Servers disagree on the shape: the original Java server sends
 * Spring Boot `{timestamp,status,error,exception,message,path}`, OAuth2 `{error,error_description}` or an
 * empty body (403/404); this project's server sends `{status,error,message,path}`.
 */

const STATUS_TEXT: Record<number, string> = {
  400: 'bad request',
  401: 'unauthorized',
  403: 'forbidden',
  404: 'not found',
  409: 'conflict',
  429: 'too many requests',
  500: 'internal server error',
  502: 'bad gateway',
  503: 'service unavailable',
  504: 'gateway timeout',
};

function field(body: Record<string, unknown>, key: string): string | undefined {
  const value = body[key];
  return typeof value === 'string' && value.trim() !== '' ? value.trim() : undefined;
}

/** Turns a status and a raw error body into one line, e.g. `404 not found` or `401 invalid_token: expired`. */
export function describeErrorBody(status: number, text: string): string {
  const fallback = `${status} ${STATUS_TEXT[status] ?? 'error'}`;
  const trimmed = text.trim();
  if (trimmed === '') return fallback;
  let body: unknown;
  try {
    body = JSON.parse(trimmed);
  } catch {
    // A proxy's HTML error page is not worth printing whole.
    return trimmed.startsWith('<') ? fallback : `${fallback}: ${trimmed.split('\n')[0]!.slice(0, 200)}`;
  }
  if (typeof body !== 'object' || body === null || Array.isArray(body)) return fallback;
  const record = body as Record<string, unknown>;
  const description = field(record, 'error_description');
  if (description) return `${status} ${field(record, 'error') ?? 'error'}: ${description}`;
  const message = field(record, 'message');
  if (message) return `${fallback}: ${message}`;
  const error = field(record, 'error');
  return error ? `${status} ${error}` : fallback;
}
