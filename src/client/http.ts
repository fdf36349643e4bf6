/**
 * One HTTP exchange with retries, timeouts and typed errors, on the undici transport (`transport.ts`).
 */
import { setTimeout as wait } from 'node:timers/promises';
import { AbortedError, ApiError, AuthError, NetworkError, TimeoutError, type RequestInfo } from './errors.js';
import { describeErrorBody } from './error-body.js';
import { createTransport, ExchangeFailure } from './transport.js';

export type Query = Record<string, string | number | boolean | undefined>;

export interface HttpOptions {
  baseUrl: string;
  /** Sent as `Authorization: Bearer <token>` when present. */
  token?: string | undefined;
  /** Per attempt, including reading the body. Default 30 s. */
  timeoutMs?: number;
  /** Retries after the first attempt. Default 3. */
  retries?: number;
  /** Delay before retry number `attempt` (1-based) when the server gave no Retry-After. */
  backoffMs?: (attempt: number) => number;
  /** Aborts every request and every wait between retries (Ctrl-C). */
  signal?: AbortSignal | undefined;
  /** Connections kept open to the server: as many as requests the caller runs at once. Default 4. */
  connections?: number;
}

export interface HttpRequest {
  method: 'GET' | 'POST' | 'PUT' | 'DELETE';
  path: string;
  query?: Query;
  body?: string;
  contentType?: string;
  /**
   * False for a request that must not be sent twice (creating or replacing a whitelisting rule): after a lost
   * answer or a 502/504 the server may have done it already, and a retry would do it again.
   */
  retry?: boolean;
}

export interface HttpResponse {
  status: number;
  text: string;
  request: RequestInfo;
}

export interface Http {
  /** Sends `request`, retrying what may be retried; resolves with a 2xx answer or throws a typed error. */
  send(request: HttpRequest): Promise<HttpResponse>;
  /** Closes the connections once in-flight requests are done. */
  close(): Promise<void>;
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

type Attempt = { response: HttpResponse } | { retryable: Error; retryAfterMs?: number | undefined };

/** Sends requests for one base URL and token; see {@link HttpOptions}. */
export function createHttp(options: HttpOptions): Http {
  const timeoutMs = options.timeoutMs ?? 30_000;
  const retries = options.retries ?? 3;
  const backoffMs = options.backoffMs ?? defaultBackoffMs;
  const { origin } = new URL(options.baseUrl);
  const transport = createTransport(origin, options.connections ?? 4);
  // The same for every request of this client: built once.
  const baseHeaders: Record<string, string> = { accept: 'application/json' };
  if (options.token) baseHeaders.authorization = `Bearer ${options.token}`;

  async function attempt(request: HttpRequest, info: RequestInfo, url: URL): Promise<Attempt> {
    const headers = request.contentType ? { ...baseHeaders, 'content-type': request.contentType } : baseHeaders;
    try {
      const res = await transport.send({
        method: request.method,
        path: url.pathname + url.search,
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

  async function pause(ms: number): Promise<void> {
    try {
      await wait(ms, undefined, options.signal ? { signal: options.signal } : {});
    } catch (error) {
      throw new AbortedError('interrupted', { cause: error });
    }
  }

  return {
    async send(request) {
      const url = buildUrl(options.baseUrl, request.path, request.query);
      const info = { method: request.method, url: url.href };
      for (let retry = 0; ; retry++) {
        const result = await attempt(request, info, url);
        if ('response' in result) return throwIfError(result.response);
        const delay = result.retryAfterMs ?? backoffMs(retry + 1);
        if (retry >= retries || delay > MAX_RETRY_AFTER_MS || request.retry === false) throw result.retryable;
        await pause(delay);
      }
    },
    close: () => transport.close(),
  };
}

function throwIfError(response: HttpResponse): HttpResponse {
  const { status, text, request } = response;
  if (status >= 200 && status < 300) return response;
  const message = describeErrorBody(status, text);
  if (status === 401 || status === 403) throw new AuthError(status, request, message);
  throw new ApiError(status, request, message);
}
