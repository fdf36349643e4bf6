/**
 * The base of the stand-in servers for the systems enrichment calls (AWS query protocol, Kio, Pier One): a real
 * HTTP server on a random loopback port that logs every call and can be told to answer slowly or fail (a status,
 * an error code) for the next calls of an operation. Plain module without test-runner imports: the demo uses it.
 */
import { setMaxListeners } from 'node:events';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { text } from 'node:stream/consumers';
import { setTimeout as sleep } from 'node:timers/promises';

export interface Fault {
  /** Answer this status (with the stand-in's error body for it) instead of the real answer. */
  status?: number;
  /** AWS error code (e.g. `Throttling`, `AccessDenied`); the status defaults to 400. */
  code?: string;
  message?: string;
  /** Wait this long before answering (also before a failure). */
  delayMs?: number;
  /** How many calls it applies to; default every call until `clearFaults()`. */
  times?: number;
}

export interface Answer {
  status: number;
  body: string;
  contentType: string;
}

export interface Call {
  operation: string;
  /** The caller and its parameters, as the stand-in read them. */
  detail: Record<string, string>;
  at: number;
}

export interface StandIn {
  url: string;
  /** Makes the next calls of an operation (`*` for all) slow or failing. */
  fault(operation: string, fault: Fault): void;
  clearFaults(): void;
  calls(operation?: string): Call[];
  clearCalls(): void;
  close(): Promise<void>;
}

export interface Routed {
  operation: string;
  detail: Record<string, string>;
  answer: () => Answer;
}

export async function startStandIn(
  route: (request: IncomingMessage, body: string) => Routed,
  failure: (fault: Fault, operation: string) => Answer,
): Promise<StandIn> {
  const faults: Array<{ operation: string; fault: Fault; remaining: number }> = [];
  const log: Call[] = [];
  const closing = new AbortController();
  // Every slow answer waits on this signal: hundreds at once under load, which is no leak.
  setMaxListeners(0, closing.signal);

  const takeFault = (operation: string): Fault | undefined => {
    const index = faults.findIndex((f) => f.operation === operation || f.operation === '*');
    if (index === -1) return undefined;
    const entry = faults[index]!;
    if (--entry.remaining <= 0) faults.splice(index, 1);
    return entry.fault;
  };

  async function handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const routed = route(request, await text(request));
    log.push({ operation: routed.operation, detail: routed.detail, at: Date.now() });
    const fault = takeFault(routed.operation);
    if (fault?.delayMs) await sleep(fault.delayMs, undefined, { signal: closing.signal }).catch(() => undefined);
    if (response.destroyed || closing.signal.aborted) return;
    const answer =
      fault && (fault.status ?? fault.code) !== undefined ? failure(fault, routed.operation) : routed.answer();
    response.writeHead(answer.status, { 'content-type': answer.contentType });
    response.end(answer.body);
  }

  const server = createServer((request, response) => {
    handle(request, response).catch((error: unknown) => {
      if (!response.headersSent) response.writeHead(500, { 'content-type': 'text/plain' });
      response.end(String(error));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;

  return {
    url: `http://127.0.0.1:${port}`,
    fault(operation, fault) {
      faults.push({ operation, fault, remaining: fault.times ?? Number.POSITIVE_INFINITY });
    },
    clearFaults: () => void faults.splice(0),
    calls: (operation) => log.filter((call) => operation === undefined || call.operation === operation),
    clearCalls: () => void log.splice(0),
    close() {
      closing.abort();
      server.closeAllConnections();
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
}

export const json = (status: number, body: unknown): Answer => ({
  status,
  body: body === undefined ? '' : JSON.stringify(body),
  contentType: 'application/json',
});
