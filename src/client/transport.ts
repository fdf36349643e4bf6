/**
 * HTTP exchanges with one server on the `undici` package's `request` API over one keep-alive `Pool`. Global
 * `fetch` (Node 20's bundled undici) cost 1.3–1.7 ms of CPU per small request here, against ~0.4 ms for this,
 * and that bounded `resolve-violations`.
 *
 * The two modules are imported by path: undici's index loads everything it has (fetch, WebSocket, caches,
 * mocks) and cost ~60 ms of start-up against ~18 ms for these two, which is most of what a short command spends
 * beyond Node's own start. `transport.test.ts` checks that they are the classes the public index exports.
 */
import { setFlagsFromString } from 'node:v8';
import Pool from 'undici/lib/dispatcher/pool.js';
import request from 'undici/lib/api/api-request.js';

// undici parses HTTP with llhttp compiled to WebAssembly. V8 compiles it quickly (Liftoff), then recompiles the hot
// parser with TurboFan on a background thread: ~50 ms of CPU that a command of a few requests never earns back, on
// a machine whose other core runs the server (resolve-violations on 1,000 violations: 171 → 129 ms of CPU; one
// request per violation: 411 → 363 ms). Only undici runs WebAssembly in the CLI process.
setFlagsFromString('--liftoff-only');

export interface RawRequest {
  method: 'GET' | 'POST' | 'PUT' | 'DELETE';
  /** Path and query, e.g. `/api/violations?page=0`. */
  path: string;
  headers: Record<string, string>;
  body?: string | undefined;
  /** Per exchange, including reading the body. */
  timeoutMs: number;
  signal?: AbortSignal | undefined;
}

export interface RawResponse {
  status: number;
  text: string;
  retryAfter: string | null;
}

/**
 * Why an exchange ended without a complete response: the caller's signal, the timeout, or the network (`cause`);
 * `answered` when the status line and headers had arrived, so it broke while the body was read.
 */
export class ExchangeFailure extends Error {
  constructor(
    readonly reason: 'aborted' | 'timeout' | 'network',
    readonly answered: boolean,
    options?: ErrorOptions,
  ) {
    super(`request ${reason}`, options);
  }
}

export interface Transport {
  send(request: RawRequest): Promise<RawResponse>;
  /** Lets in-flight exchanges finish, then closes every connection, so the process can exit at once. */
  close(): Promise<void>;
}

/** Connections to `origin` (e.g. `https://fullstop.example.org`), at most `connections` at once. */
export function createTransport(origin: string, connections: number): Transport {
  // Timeouts are ours (one timer for the whole exchange, body included): undici's own are per phase.
  const pool = new Pool(origin, { connections, headersTimeout: 0, bodyTimeout: 0 });
  return {
    async send(raw) {
      if (raw.signal?.aborted) throw new ExchangeFailure('aborted', false);
      const controller = new AbortController();
      let reason: 'aborted' | 'timeout' | undefined;
      const stop = (why: 'aborted' | 'timeout') => {
        reason ??= why;
        controller.abort();
      };
      const onAbort = () => stop('aborted');
      const timer = setTimeout(() => stop('timeout'), raw.timeoutMs);
      raw.signal?.addEventListener('abort', onAbort, { once: true });
      let answered = false;
      try {
        const res = await request.call(pool, {
          method: raw.method,
          path: raw.path,
          headers: raw.headers,
          body: raw.body,
          signal: controller.signal,
        });
        answered = true;
        // A connection closed mid-body rejects here ("other side closed"), as does a body cut short of its
        // Content-Length or its last chunk.
        const text = await res.body.text();
        const retryAfter = res.headers['retry-after'];
        return { status: res.statusCode, text, retryAfter: typeof retryAfter === 'string' ? retryAfter : null };
      } catch (error) {
        throw new ExchangeFailure(reason ?? 'network', answered, { cause: error });
      } finally {
        clearTimeout(timer);
        raw.signal?.removeEventListener('abort', onAbort);
      }
    },
    close: () => pool.close(),
  };
}
