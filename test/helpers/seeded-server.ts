/**
 * The real `fullstop server --no-auth` (the built binary, a child process) on a SQLite file seeded with open
 * violations, plus a second connection to that file so tests can check what the server stored.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openStore } from '../../src/server/store/open-store.js';
import type { ViolationStore } from '../../src/server/store/store.js';
import type { Violation } from '../../src/shared/violation.js';
import { startServerProcess, type ServerProcess } from '../e2e/server-process.js';

export interface SeededServer {
  url: string;
  store: ViolationStore;
  process: ServerProcess;
  /** Adds `count` (≤ 2000) open violations of a new account; returns the account and their ids, ascending. */
  seed(count: number): Promise<{ account: string; ids: number[] }>;
  /** The stored violations with these ids, in their order. */
  violations(ids: number[]): Promise<Violation[]>;
  /** Stops the server (resolves with its exit code), closes the store and removes the files. */
  stop(): Promise<number | null>;
}

let seeded = 0;

export async function startSeededServer(): Promise<SeededServer> {
  const dir = mkdtempSync(join(tmpdir(), 'fullstop-faults-'));
  const db = `sqlite:${join(dir, 'fullstop.db')}`;
  // Opening the store first runs the migrations, so the server and this connection share one schema.
  const store = await openStore(db);
  const process = await startServerProcess(['--no-auth', '--db', db]);
  return {
    url: process.url,
    store,
    process,
    async seed(count) {
      const account = String(100_000_000_000 + ++seeded);
      await store.insertViolations(
        Array.from({ length: count }, (_, i) => ({
          eventId: `${account}-${i}`,
          accountId: account,
          region: 'eu-west-1',
          type: 'WRONG_REGION',
          instanceId: `i-${i}`,
        })),
      );
      const page = await store.listViolations(
        { accounts: [account] },
        { page: 0, size: 2000, sort: [{ property: 'id', direction: 'ASC' }] },
      );
      return { account, ids: page.content.map((v) => v.id) };
    },
    async violations(ids) {
      return Promise.all(
        ids.map(async (id) => {
          const violation = await store.getViolation(id);
          if (!violation) throw new Error(`violation ${id} is not in the store`);
          return violation;
        }),
      );
    },
    async stop() {
      const code = await process.stop();
      await store.close();
      rmSync(dir, { recursive: true, force: true });
      return code;
    },
  };
}
