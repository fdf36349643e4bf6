/**
 * Claims on pending evaluations die with the process that holds them: a retrier (a real process, the built store)
 * claims the due rows for five minutes and is killed with SIGKILL; another process claims them at once, on SQLite
 * (the claimant was a process of this host that is gone) and on PostgreSQL (its liveness lock went with its
 * session). While the retrier lives, nobody else gets its rows. Needs `npm run build` first (`npm test` does it).
 */
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { afterAll, describe, expect, it } from 'vitest';
import { openStore } from '../../src/server/store/open-store.js';
import { pendingClaimant } from '../../src/server/store/claims.js';
import { pending } from '../../src/server/store/enrichment.contract.js';
import type { ViolationStore } from '../../src/server/store/store.js';
import { tempDir } from '../ingest/helpers.js';
import { PG_SKIP_REASON, pgTitle, testSchema } from './pg.js';

const CLAIMER = join(import.meta.dirname, 'pending-claimer.mjs');
const dir = tempDir('fullstop-pending-claims-');
afterAll(() => dir.cleanup());

const claim = () => ({ claimant: pendingClaimant(), limit: 100, leaseMs: 60_000, configFingerprint: 'config-1' });

/** Starts the claimer on `url` and resolves once it holds its claims. */
async function claimer(url: string) {
  const child = spawn(process.execPath, [CLAIMER, url], { stdio: ['ignore', 'pipe', 'inherit'] });
  const exited = new Promise((resolve) => child.on('exit', resolve));
  const line = await new Promise<string>((resolve, reject) => {
    createInterface({ input: child.stdout }).once('line', resolve);
    child.once('exit', (code) => reject(new Error(`the claimer exited with ${code}`)));
  });
  return { line, kill: () => (child.kill('SIGKILL'), exited) };
}

async function takesOverAtOnce(url: string): Promise<void> {
  let store: ViolationStore | undefined;
  try {
    store = await openStore(url);
    await store.commitFiles([
      {
        file: { source: 'file:///logs', key: 'a.json', fingerprint: 'f', records: 3, badRecords: 0 },
        drafts: [],
        pending: [pending('e1'), pending('e2'), pending('e3')],
      },
    ]);
    const holder = await claimer(url);
    try {
      expect(holder.line).toBe('claimed 3');
      expect(await store.claimPendingEvaluations(claim())).toEqual([]);
    } finally {
      await holder.kill();
    }
    // Its PostgreSQL session ends a moment after the process: wait for that, well within the five minutes.
    const deadline = Date.now() + 5_000;
    let taken = await store.claimPendingEvaluations(claim());
    while (taken.length === 0 && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 50));
      taken = await store.claimPendingEvaluations(claim());
    }
    expect(taken.map((row) => [row.eventId, row.attempts])).toEqual([
      ['e1', 3],
      ['e2', 3],
      ['e3', 3],
    ]);
  } finally {
    await store?.close();
  }
}

describe('claims on pending evaluations of a killed retrier', () => {
  it('are taken over at once on SQLite', async () => {
    await takesOverAtOnce(`sqlite:${join(dir.path, 'claims.db')}`);
  });

  it.skipIf(PG_SKIP_REASON !== undefined)(pgTitle('are taken over at once on PostgreSQL'), async () => {
    const schema = testSchema();
    try {
      await takesOverAtOnce(schema.url);
    } finally {
      await schema.drop();
    }
  });
});
