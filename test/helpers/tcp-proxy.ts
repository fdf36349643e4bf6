/**
 * A TCP proxy in front of the local PostgreSQL (or any server on loopback), to take the database away from a server
 * under test the ways a network or an operator does: refuse new connections, cut the open ones, swallow traffic
 * without an answer, or cut a connection just after it carried a given statement (its answer lost on the way).
 */
import { createServer, connect, type Server, type Socket } from 'node:net';

export type ProxyMode = 'pass' | 'refuse' | 'blackhole' | 'hold';

export interface TcpProxy {
  port: number;
  /** `url` (a postgres:// URL to the proxied server) with its host and port replaced by the proxy's. */
  via(url: string): string;
  /**
   * pass: forward; refuse: close each new connection at once; blackhole: accept and forward nothing either way;
   * hold: pass nothing more to the server, while its answers still reach the clients, and leave new connections
   * unanswered (a server shutting down: what it sends, a FATAL included, arrives; nothing new reaches it).
   */
  setMode(mode: ProxyMode): void;
  /** Cuts every open connection (both sides). */
  cutAll(): void;
  /**
   * Forwards the next chunk carrying `marker` to the server, passes nothing back on that connection from then on,
   * and cuts it `delayMs` later: the server acted on the request, and its answer is lost.
   */
  cutAfter(marker: string, delayMs: number): Promise<void>;
  /**
   * Calls `act` synchronously as the `occurrence`-th chunk (counted from now) carrying `marker` has been forwarded
   * to the server, before its answer can come back: e.g. to cut every connection while a transaction is under way.
   */
  onForwarded(marker: string, act: () => void, occurrence?: number): Promise<void>;
  /** The local ports of the open connections to the server: PostgreSQL's `pg_stat_activity.client_port`. */
  upstreamPorts(): number[];
  close(): Promise<void>;
}

export async function startTcpProxy(targetPort: number, targetHost = '127.0.0.1'): Promise<TcpProxy> {
  let mode: ProxyMode = 'pass';
  const pairs = new Set<{ client: Socket; upstream?: Socket }>();
  let trap: { marker: Buffer; delayMs: number; fired: () => void } | undefined;
  let hook: { marker: Buffer; act: () => void; left: number; fired: () => void } | undefined;

  const server: Server = createServer((client) => {
    client.on('error', () => {});
    if (mode === 'refuse') {
      client.destroy();
      return;
    }
    const pair: { client: Socket; upstream?: Socket } = { client };
    pairs.add(pair);
    client.on('close', () => {
      pairs.delete(pair);
      pair.upstream?.destroy();
    });
    if (mode === 'blackhole' || mode === 'hold') return;
    const upstream = connect(targetPort, targetHost);
    pair.upstream = upstream;
    upstream.on('error', () => client.destroy());
    upstream.on('close', () => client.destroy());
    let muted = false;
    client.on('data', (chunk: Buffer) => {
      if (mode === 'blackhole' || mode === 'hold') return;
      upstream.write(chunk);
      if (trap !== undefined && chunk.includes(trap.marker)) {
        const { delayMs, fired } = trap;
        trap = undefined;
        muted = true;
        setTimeout(() => {
          client.destroy();
          upstream.destroy();
          fired();
        }, delayMs);
      }
      if (hook !== undefined && chunk.includes(hook.marker) && --hook.left === 0) {
        const { act, fired } = hook;
        hook = undefined;
        act();
        fired();
      }
    });
    upstream.on('data', (chunk: Buffer) => {
      if (mode !== 'blackhole' && !muted) client.write(chunk);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  const port = typeof address === 'object' && address !== null ? address.port : 0;

  const cutAll = () => {
    for (const { client, upstream } of pairs) {
      client.destroy();
      upstream?.destroy();
    }
  };
  return {
    port,
    via(url) {
      const parsed = new URL(url);
      parsed.hostname = '127.0.0.1';
      parsed.port = String(port);
      return parsed.toString();
    },
    setMode(next) {
      mode = next;
    },
    cutAll,
    cutAfter(marker, delayMs) {
      return new Promise((fired) => {
        trap = { marker: Buffer.from(marker), delayMs, fired };
      });
    },
    onForwarded(marker, act, occurrence = 1) {
      return new Promise((fired) => {
        hook = { marker: Buffer.from(marker), act, left: occurrence, fired };
      });
    },
    upstreamPorts() {
      return [...pairs].flatMap(({ upstream }) => (upstream?.localPort === undefined ? [] : [upstream.localPort]));
    },
    async close() {
      cutAll();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
