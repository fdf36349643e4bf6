/**
 * One HTTP exchange over node:http/node:https with a keep-alive agent per client. Global `fetch` cost about
 * 1.2–1.5 ms of CPU per small request on the 2-core reference machine against 0.3 ms for node:http (README,
 * "Performance"): for `resolve-violations`, which sends one POST per violation, that difference is most of the
 * command. https is loaded only for https URLs, since TLS is a noticeable part of start-up.
 */
import type { Agent, ClientRequest, IncomingMessage, OutgoingHttpHeaders, RequestOptions } from 'node:http';

export interface RawRequest {
  method: 'GET' | 'POST';
  url: URL;
  headers: OutgoingHttpHeaders;
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

/** Why an exchange ended without a response: the caller's signal, the timeout, or the network (`cause`). */
export class ExchangeFailure extends Error {
  constructor(
    readonly reason: 'aborted' | 'timeout' | 'network',
    options?: ErrorOptions,
  ) {
    super(`request ${reason}`, options);
  }
}

interface Transport {
  module: { request: (options: RequestOptions, callback: (res: IncomingMessage) => void) => ClientRequest };
  agent: Agent;
}

async function loadTransport(protocol: string): Promise<Transport> {
  // The modules' default exports, called at request time: tools that intercept requests (msw in the tests)
  // patch those objects, not the ES module bindings. Idle keep-alive sockets are unref'd by the agent, so they
  // never hold the process open.
  if (protocol === 'https:') {
    const { default: https } = await import('node:https');
    return { module: https, agent: new https.Agent({ keepAlive: true }) };
  }
  const { default: http } = await import('node:http');
  return { module: http, agent: new http.Agent({ keepAlive: true }) };
}

/** Creates a sender for one origin's protocol, reusing connections between exchanges. */
export function createTransport(protocol: string): (request: RawRequest) => Promise<RawResponse> {
  let transport: Promise<Transport> | undefined;
  return async (request) => {
    transport ??= loadTransport(protocol);
    const { module, agent } = await transport;
    if (request.signal?.aborted) throw new ExchangeFailure('aborted');
    return new Promise<RawResponse>((resolve, reject) => {
      let failure: ExchangeFailure | undefined;
      const stop = (reason: 'aborted' | 'timeout') => {
        failure ??= new ExchangeFailure(reason);
        req.destroy(failure);
      };
      const onAbort = () => stop('aborted');
      const timer = setTimeout(() => stop('timeout'), request.timeoutMs);
      request.signal?.addEventListener('abort', onAbort, { once: true });
      const settle = () => {
        clearTimeout(timer);
        request.signal?.removeEventListener('abort', onAbort);
      };
      const fail = (error: unknown) => {
        settle();
        reject(failure ?? new ExchangeFailure('network', { cause: error }));
      };
      const headers = { ...request.headers };
      if (request.body !== undefined) headers['Content-Length'] = Buffer.byteLength(request.body);
      const { protocol, hostname, port, pathname, search } = request.url;
      const target = { protocol, hostname: hostname.replace(/^\[|\]$/g, ''), port, path: pathname + search };
      const req = module.request({ ...target, method: request.method, headers, agent }, (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => (body += chunk));
        res.on('error', fail);
        res.on('end', () => {
          settle();
          const retryAfter = res.headers['retry-after'];
          resolve({ status: res.statusCode ?? 0, text: body, retryAfter: typeof retryAfter === 'string' ? retryAfter : null });
        });
        // A connection closed mid-body ends the response without 'end'.
        res.on('close', () => {
          if (!res.complete) fail(new Error('the connection closed before the answer was complete'));
        });
      });
      req.on('error', fail);
      req.end(request.body);
    });
  };
}
