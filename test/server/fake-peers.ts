/** Small real HTTP servers standing in for the OAuth2 token-info endpoint and the team service. */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface Peer {
  url: string;
  calls: string[];
  close(): Promise<void>;
}

type Handler = (path: string, authorization: string | undefined) => { status: number; body?: unknown };

/** `delayMs` holds every answer back, so that concurrent requests overlap. */
export async function startPeer(handler: Handler, options: { delayMs?: number } = {}): Promise<Peer> {
  const calls: string[] = [];
  const server: Server = createServer((req, res) => {
    calls.push(req.url ?? '');
    const { status, body } = handler(req.url ?? '', req.headers.authorization);
    setTimeout(() => {
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(body === undefined ? '' : JSON.stringify(body));
    }, options.delayMs ?? 0);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    calls,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
