/**
 * One HTTP exchange with retries, timeouts and typed errors, on global fetch (`transport.ts`).
 */
import { AbortedError, ApiError, AuthError, NetworkError, TimeoutError, type RequestInfo } from './errors.js';
import { describeErrorBody } from './error-body.js';
import { ExchangeFailure, sendWithFetch, type RawRequest, type RawResponse } from './transport.js';

export type Query = Record<string, string | number | boolean | undefined>;

export interface HttpOptions {
  baseUrl: string;
  /** Sent as `Authorization: Bearer <token>` when present. */
  token?: string | undefined;
  /** Sends one exchange; injectable so tests can shape failures. Default: global fetch. */
  send?: (request: RawRequest) => Promise<RawResponse>;
  /** Per attempt, including reading the body. Default 30 s. */
  timeoutMs?: number;
  /** Retries after the first attempt. Default 3. */
  retries?: number;
  /** Delay before retry number `attempt` (1-based) when the server gave no Retry-After. */
  backoffMs?: (attempt: number) => number;
  /** Waits; injectable so tests run without real delays. */
  sleep?: (ms: number) => Promise<void>;
  /** Aborts every request (Ctrl-C). */
  signal?: AbortSignal | undefined;
}

export interface HttpRequest {
  method: 'GET' | 'POST';
  path: string;
  query?: Query;
  body?: string;
  contentType?: string;
}

export interface HttpResponse {
  status: number;
  text: string;
  request: RequestInfo;
}

const RETRYABLE_STATUS = new Set([429, 502, 503, 504]);
/** A Retry-After longer than this is a maintenance window, not a hiccup: give up instead of hanging. */
const MAX_RETRY_AFTER_MS = 120_000;

/** Exponential backoff with equal jitter: 250 ms, 500 ms, 1 s … each ±50 %. */
export function defaultBackoffMs(attempt: number): number {
  const ceiling = 250 * 2 ** (attempt - 1);
  return ceiling / 2 + Math.random() * (ceiling / 2);
}

/** Parses a Retry-After header (seconds or an HTTP date) into milliseconds from `now`. */
export function parseRetryAfter(header: string | null, now = Date.now()): number | undefined {
  if (header === null || header.trim() === '') return undefined;
  const seconds = Number(header);
  if (Number.isFinite(seconds)) return Math.max(0, seconds * 1000);
  const date = Date.parse(header);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}

/** Builds the absolute URL of `path` under `baseUrl` (which may carry a path prefix) with `query`. */
export function buildUrl(baseUrl: string, path: string, query: Query = {}): URL {
  const url = new URL(baseUrl.replace(/\/+$/, '') + path);
  for (const [key, value] of Object.entries(query)) {
    if (value !== undefined && value !== '') url.searchParams.set(key, String(value));
  }
  return url;
}

/** The most specific reason in an error's cause chain: fetch wraps `ECONNREFUSED` or "bad port" in a TypeError("fetch failed"). */
function networkReason(error: unknown): string {
  let innermost: string | undefined;
  for (let current = error as { code?: unknown; message?: unknown; cause?: unknown } | undefined; current;) {
    if (typeof current.code === 'string') return current.code;
    if (typeof current.message === 'string') innermost = current.message;
    current = current.cause as typeof current;
  }
  return innermost ?? String(error);
}

type Attempt = { response: HttpResponse } | { retryable: Error; retryAfterMs?: number | undefined };

/** Sends requests for one base URL and token; see {@link HttpOptions}. */
export function createHttp(options: HttpOptions): (request: HttpRequest) => Promise<HttpResponse> {
  const timeoutMs = options.timeoutMs ?? 30_000;
  const retries = options.retries ?? 3;
  const backoffMs = options.backoffMs ?? defaultBackoffMs;
  const sleep = options.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)));
  const { origin } = new URL(options.baseUrl);
  const send = options.send ?? sendWithFetch;
  // The same for every request of this client: built once.
  const baseHeaders: Record<string, string> = { Accept: 'application/json' };
  if (options.token) baseHeaders.Authorization = `Bearer ${options.token}`;

  async function attempt(request: HttpRequest, info: RequestInfo, url: URL): Promise<Attempt> {
    const headers = request.contentType ? { ...baseHeaders, 'Content-Type': request.contentType } : baseHeaders;
    try {
      const res = await send({
        method: request.method,
        url,
        headers,
        body: request.body,
        timeoutMs,
        signal: options.signal,
      });
      if (RETRYABLE_STATUS.has(res.status)) {
        const retryAfterMs = parseRetryAfter(res.retryAfter);
        return { retryable: new ApiError(res.status, info, describeErrorBody(res.status, res.text)), retryAfterMs };
      }
      return { response: { status: res.status, text: res.text, request: info } };
    } catch (error) {
      if (options.signal?.aborted) throw new AbortedError('interrupted', { cause: error });
      if (error instanceof ExchangeFailure && error.reason === 'timeout') {
        throw new TimeoutError(`no answer from ${origin} within ${timeoutMs / 1000} s`, { cause: error });
      }
      const cause = error instanceof ExchangeFailure ? error.cause : error;
      return { retryable: new NetworkError(`could not reach ${origin} (${networkReason(cause)})`, { cause: error }) };
    }
  }

  return async (request) => {
    const url = buildUrl(options.baseUrl, request.path, request.query);
    const info = { method: request.method, url: url.href };
    for (let retry = 0; ; retry++) {
      const result = await attempt(request, info, url);
      if ('response' in result) return throwIfError(result.response);
      const delay = result.retryAfterMs ?? backoffMs(retry + 1);
      if (retry >= retries || delay > MAX_RETRY_AFTER_MS) throw result.retryable;
      await sleep(delay);
      if (options.signal?.aborted) throw new AbortedError('interrupted');
    }
  };
}

function throwIfError(response: HttpResponse): HttpResponse {
  const { status, text, request } = response;
  if (status >= 200 && status < 300) return response;
  const message = describeErrorBody(status, text);
  if (status === 401 || status === 403) throw new AuthError(status, request, message);
  throw new ApiError(status, request, message);
}
