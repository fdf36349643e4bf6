/**
 * One HTTP exchange with retries, timeouts and typed errors, on the undici transport (`transport.ts`). Retries never
 * risk applying a change twice: see {@link HttpRequest.idempotent}.
 */
import { setTimeout as wait } from 'node:timers/promises';
import {
  AbortedError,
  ApiError,
  AuthError,
  NetworkError,
  OutcomeUnknownError,
  TimeoutError,
  type RequestInfo,
} from './errors.js';
import { describeErrorBody } from './error-body.js';
import { createTransport, ExchangeFailure } from './transport.js';
import { failedExchange, type Attempt } from './attempt.js';

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
   * Whether sending it twice does no harm; default: GET yes, POST no. A request that is not idempotent is sent again
   * only when the server cannot have acted on it (no connection; 429 or 503); a failure that leaves its effect
   * unknown (lost or cut answer, timeout, Ctrl-C in flight, 502, 504) throws OutcomeUnknownError.
   */
  idempotent?: boolean;
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
/** Of those, the ones that ask to come back later: the server did not act on the request. 502 and 504 come from a
 * gateway whose server behind may have acted on it. */
const DECLINED_STATUS = new Set([429, 503]);
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
    if (options.signal?.aborted) return { failure: new AbortedError('interrupted'), retryable: false, sent: false };
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
        const error = new ApiError(res.status, info, describeErrorBody(res.status, res.text));
        return { failure: error, retryable: true, sent: !DECLINED_STATUS.has(res.status), retryAfterMs };
      }
      return { response: { status: res.status, text: res.text, request: info } };
    } catch (error) {
      if (error instanceof ExchangeFailure) return failedExchange(error, origin, timeoutMs);
      throw error;
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
      const idempotent = request.idempotent ?? request.method === 'GET';
      for (let retry = 0; ; retry++) {
        const result = await attempt(request, info, url);
        if ('response' in result) return throwIfError(result.response);
        if (result.failure instanceof NetworkError) result.failure.attempts = retry + 1;
        // Sending again what the server may have applied could apply it twice.
        const unsafe = result.sent && !idempotent;
        const delay = result.retryAfterMs ?? backoffMs(retry + 1);
        if (unsafe) throw new OutcomeUnknownError(result.failure);
        if (!result.retryable || retry >= retries || delay > MAX_RETRY_AFTER_MS) throw result.failure;
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
