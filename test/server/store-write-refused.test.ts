/**
 * A write the SQLite store refuses (another process holds the write lock beyond the busy timeout) answers 503 with
 * the JSON error body and a Retry-After, not 500: nothing was written, so the client may send it again later.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import { buildApp } from '../../src/server/http/app.js';
import { openStore } from '../../src/server/store/open-store.js';
import { createAuthenticator } from '../../src/server/auth/authenticator.js';
import { ACCOUNT_A, DEFAULT_CONFIG, TOKENS } from './helpers.js';

const dir = mkdtempSync(join(tmpdir(), 'fullstop-refused-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('a write the store refuses', () => {
  it('answers 503 with the JSON body and Retry-After, and the violation is unchanged', async () => {
    const path = join(dir, 'fullstop.db');
    const store = await openStore(`sqlite:${path}`);
    await store.insertViolations([
      { eventId: 'e-1', accountId: ACCOUNT_A, region: 'eu-west-1', type: 'WRONG_REGION', metaInfo: null },
    ]);
    const auth = createAuthenticator({ tokens: DEFAULT_CONFIG.auth?.tokens });
    const app = buildApp({ store, auth, config: DEFAULT_CONFIG, logger: false });
    await app.ready();
    const other = new Database(path);
    try {
      other.exec('BEGIN EXCLUSIVE');
      const res = await app.inject({
        method: 'POST',
        url: '/api/violations/1/resolution',
        headers: { authorization: `Bearer ${TOKENS.admin}`, 'content-type': 'text/plain' },
        payload: 'fixed',
      });
      expect(res.statusCode).toBe(503);
      expect(res.headers['retry-after']).toBeDefined();
      expect(res.json()).toMatchObject({ status: 503, path: '/api/violations/1/resolution' });
      other.exec('ROLLBACK');
      expect((await store.getViolation(1))?.comment).toBeNull();
    } finally {
      other.close();
      await app.close();
      await store.close();
    }
  }, 20_000);
});
