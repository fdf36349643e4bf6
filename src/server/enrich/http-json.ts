/** JSON GETs to the registries (Kio, Pier One) over one keep-alive undici agent, with the bearer token. */
import { Agent, request } from 'undici';
import { errorStatus } from './errors.js';
import type { TokenSource } from './token.js';

export class HttpStatusError extends Error {
  override name = 'HttpStatusError';
  constructor(
    readonly statusCode: number,
    what: string,
  ) {
    super(`${what} answered HTTP ${statusCode}`);
  }
}

/** A 2xx answer that is not the JSON expected: a misconfigured URL, not a passing fault. */
export class MalformedAnswerError extends Error {
  override name = 'MalformedAnswerError';
}

export interface JsonClient {
  /** The parsed body, or null for 404. */
  get(url: string, what: string, signal: AbortSignal): Promise<unknown>;
  close(): Promise<void>;
}

export function createJsonClient(options: { connections: number; token?: TokenSource | undefined }): JsonClient {
  const agent = new Agent({ connections: options.connections, keepAliveTimeout: 30_000 });
  const { token } = options;
  return {
    async get(url, what, signal) {
      const headers: Record<string, string> = { accept: 'application/json' };
      if (token !== undefined) headers['authorization'] = `Bearer ${await token.get()}`;
      const { statusCode, body } = await request(url, { method: 'GET', headers, signal, dispatcher: agent });
      if (statusCode === 404) {
        await body.dump();
        return null;
      }
      if (statusCode < 200 || statusCode > 299) {
        await body.dump();
        if (statusCode === 401) token?.invalidate();
        throw new HttpStatusError(statusCode, what);
      }
      const text = await body.text();
      try {
        return JSON.parse(text) as unknown;
      } catch {
        throw new MalformedAnswerError(`${what} answered something that is not JSON`);
      }
    },
    close: () => agent.close(),
  };
}

/**
 * Worth asking again later: network faults, timeouts, 5xx, throttling, and refused credentials (a token may be
 * renewed, access granted). Not: other 4xx (the request itself is wrong) and malformed answers.
 */
export function httpRetryable(error: unknown): boolean {
  if (error instanceof MalformedAnswerError) return false;
  const status = errorStatus(error);
  if (status === undefined) return true;
  return status >= 500 || [401, 403, 408, 429].includes(status);
}
