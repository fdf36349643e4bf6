/**
 * A fault-injecting HTTP peer: a real node:http server on a random local port that answers each request either
 * normally, from an upstream server it proxies to (the real `fullstop server`) or from a local `respond` function,
 * or with a fault chosen per request. Faults marked "passed on" reach the upstream first, so the request takes
 * effect there and only its answer is spoiled: the case where a client cannot know whether a change was applied.
 */
import {
  Agent,
  createServer,
  request as httpRequest,
  type IncomingHttpHeaders,
  type Server,
  type ServerResponse,
} from 'node:http';
import type { Socket } from 'node:net';

export type Fault =
  /** Close the connection without answering; not passed on. */
  | 'drop'
  /** Passed on, then the connection is closed without an answer. */
  | 'drop-after'
  /** No answer at all, until the client gives up; not passed on. */
  | 'stall'
  /** Passed on; the headers and half the body are sent, then nothing more. */
  | 'stall-body'
  /** Passed on; the full Content-Length, half the body, then the connection is closed. */
  | 'half-body'
  /** Passed on; the answer chunked, cut off after half the body (no last chunk), then closed. */
  | 'cut-chunked'
  /** Passed on; the headers and half the body, then a TCP reset (RST). */
  | 'reset'
  /** Passed on; a complete answer of status 200 whose body is the first half of the real one (not JSON). */
  | 'invalid-json'
  /** This answer instead; not passed on. */
  | { status: number; body?: string; headers?: Record<string, string> };

/** Faults that pass the request on before they spoil the answer. */
const PASSED_ON = new Set<Fault>(['drop-after', 'stall-body', 'half-body', 'cut-chunked', 'reset', 'invalid-json']);

export interface PeerRequest {
  method: string;
  /** Path and query, as sent. */
  url: string;
  /** The path without the query. */
  path: string;
  headers: IncomingHttpHeaders;
  body: string;
}

export interface Answer {
  status: number;
  headers?: Record<string, string>;
  body?: string;
}

export interface PeerOptions {
  /** The server to pass requests on to, e.g. `http://127.0.0.1:8080`. */
  upstream?: string;
  /** Answers requests when there is no upstream. */
  respond?: (request: PeerRequest) => Answer | Promise<Answer>;
  /** The fault for this request, or undefined for a normal answer; `index` counts every request from 0. */
  fault?: (request: PeerRequest, index: number) => Fault | undefined;
}

export interface LogEntry {
  method: string;
  path: string;
  body: string;
  fault: string;
  /** Whether the request reached the upstream (or `respond`). */
  passedOn: boolean;
}

export interface FaultPeer {
  url: string;
  log: LogEntry[];
  /** Replaces the fault chooser, e.g. `() => undefined` to heal the peer. */
  setFault(fault: PeerOptions['fault']): void;
  close(): Promise<void>;
}

function label(fault: Fault | undefined): string {
  if (fault === undefined) return 'none';
  return typeof fault === 'string' ? fault : `status ${fault.status}`;
}

const HOP_BY_HOP = new Set(['connection', 'keep-alive', 'transfer-encoding', 'content-length', 'host']);

function endToEnd(headers: IncomingHttpHeaders): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [key, value] of Object.entries(headers)) {
    if (!HOP_BY_HOP.has(key) && value !== undefined) out[key] = Array.isArray(value) ? value.join(', ') : value;
  }
  return out;
}

function forward(upstream: string, agent: Agent, request: PeerRequest): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const out = httpRequest(
      new URL(request.url, upstream),
      { method: request.method, headers: endToEnd(request.headers), agent },
      (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => (body += chunk));
        res.on('end', () => resolve({ status: res.statusCode ?? 502, headers: endToEnd(res.headers), body }));
        res.on('error', reject);
      },
    );
    out.on('error', reject);
    out.end(request.body);
  });
}

/** Starts a peer on 127.0.0.1 and a free port. */
export async function startFaultPeer(options: PeerOptions): Promise<FaultPeer> {
  const agent = new Agent({ keepAlive: true });
  let chooseFault = options.fault;
  const log: LogEntry[] = [];
  const sockets = new Set<Socket>();
  let index = 0;

  const answer = (request: PeerRequest): Promise<Answer> => {
    if (options.upstream) return forward(options.upstream, agent, request);
    if (options.respond) return Promise.resolve(options.respond(request));
    return Promise.resolve({ status: 404, body: 'no upstream and no respond function' });
  };

  const server: Server = createServer((req, res) => {
    let body = '';
    req.setEncoding('utf8');
    req.on('data', (chunk: string) => (body += chunk));
    req.on('end', () => {
      const url = req.url ?? '/';
      const request: PeerRequest = {
        method: req.method ?? 'GET',
        url,
        path: url.split('?')[0]!,
        headers: req.headers,
        body,
      };
      const fault = chooseFault?.(request, index++);
      const passedOn = fault === undefined || PASSED_ON.has(fault);
      log.push({ method: request.method, path: request.path, body, fault: label(fault), passedOn });
      const socket = req.socket;
      if (fault === 'drop') return void socket.destroy();
      if (fault === 'stall') return;
      if (typeof fault === 'object') {
        res.writeHead(fault.status, { 'content-type': 'application/json', ...fault.headers });
        return void res.end(fault.body ?? '');
      }
      void answer(request).then(
        (normal) => spoil(normal, fault, res, socket),
        (error: Error) => {
          res.writeHead(502, { 'content-type': 'text/plain' });
          res.end(`fault peer: upstream failed: ${error.message}`);
        },
      );
    });
  });
  server.on('connection', (socket: Socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  return {
    url: `http://127.0.0.1:${port}`,
    log,
    setFault(fault) {
      chooseFault = fault;
    },
    async close() {
      for (const socket of sockets) socket.destroy();
      agent.destroy();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}

/** Writes the normal answer, or spoils it as `fault` says. */
function spoil(normal: Answer, fault: Fault | undefined, res: ServerResponse, socket: Socket): void {
  const body = Buffer.from(normal.body ?? '');
  const half = body.subarray(0, Math.floor(body.length / 2));
  const headers = normal.headers ?? { 'content-type': 'application/json' };
  switch (fault) {
    case undefined:
      res.writeHead(normal.status, { ...headers, 'content-length': String(body.length) });
      return void res.end(body);
    case 'drop-after':
      return void socket.destroy();
    case 'invalid-json':
      res.writeHead(200, { ...headers, 'content-length': String(half.length) });
      return void res.end(half);
    case 'cut-chunked':
      res.writeHead(normal.status, headers);
      return void res.write(half, () => socket.destroy());
    case 'reset':
      res.writeHead(normal.status, { ...headers, 'content-length': String(body.length) });
      // Reset from the write callback itself, Node still closes with a FIN; a moment later it sends the RST.
      return void res.write(half, () => setTimeout(() => socket.resetAndDestroy(), 10));
    case 'half-body':
      res.writeHead(normal.status, { ...headers, 'content-length': String(body.length) });
      return void res.write(half, () => socket.destroy());
    case 'stall-body':
      res.writeHead(normal.status, { ...headers, 'content-length': String(body.length) });
      return void res.write(half);
    default:
      throw new Error(`fault ${label(fault)} is handled before the answer`);
  }
}
