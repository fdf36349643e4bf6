import { describe, it, expect } from 'vitest';
import { copyFileSync, mkdirSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import { migrate } from './sqlite-migrate.js';
import { describeStoreContract } from './store.contract.js';
import { openStore } from './open-store.js';

describeStoreContract('sqlite', () => openStore('sqlite::memory:'));

describe('sqlite store on disk', () => {
  it('runs migrations once and sees commits of another connection', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'fullstop-store-'));
    try {
      const url = `sqlite:${join(dir, 'nested', 'fullstop.db')}`;
      const reader = await openStore(url);
      const writer = await openStore(url);
      const page = { page: 0, size: 10, sort: [{ property: 'id' as const, direction: 'ASC' as const }] };
      expect((await reader.listViolations({}, page)).total).toBe(0);
      await writer.insertViolations([{ eventId: 'e', accountId: 'a', region: 'r', type: 'OTHER_PROCESS_TYPE' }]);
      expect((await reader.listViolations({}, page)).total).toBe(1);
      expect((await reader.listViolations({}, page)).content[0]!.violation_type.id).toBe('OTHER_PROCESS_TYPE');
      await Promise.all([reader.close(), writer.close()]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('moves files recorded under an S3 prefix to their bucket, and reads failures of old once more', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'fullstop-store-'));
    try {
      // A database of the version before: migrations 001-004 only.
      const old = join(dir, 'migrations');
      mkdirSync(old);
      const all = fileURLToPath(new URL('./migrations/sqlite/', import.meta.url));
      for (const name of readdirSync(all).filter((n) => /^00[1-4]-/.test(n)))
        copyFileSync(join(all, name), join(old, name));
      const path = join(dir, 'fullstop.db');
      const db = new Database(path);
      migrate(db, old);
      const file = db.prepare(
        'INSERT INTO processed_file (source, key, fingerprint, records, bad_records, processed_at) VALUES (?, ?, ?, 1, 0, 0)',
      );
      file.run('s3://trail/org', 'org/AWSLogs/a.json.gz', 'e1');
      file.run('s3://trail/org/AWSLogs', 'org/AWSLogs/b.json.gz', 'e2');
      file.run('s3://trail', 'org/AWSLogs/b.json.gz', 'e2');
      file.run('file:///logs/x', 'c.json', 'size=1,mtime=1');
      const failure = db.prepare(
        'INSERT INTO ingest_failure (source, key, fingerprint, reason, at) VALUES (?, ?, ?, ?, 0)',
      );
      failure.run('s3://trail/org', 'org/bad.json', 'e3', 'not CloudTrail');
      db.close();

      const store = await openStore(`sqlite:${path}`);
      const files = [
        { key: 'org/AWSLogs/a.json.gz', fingerprint: 'e1' },
        { key: 'org/AWSLogs/b.json.gz', fingerprint: 'e2' },
      ];
      expect(await store.processedKeys('s3://trail', files)).toEqual(new Set(files.map((f) => f.key)));
      expect(await store.processedKeys('s3://trail/org', files)).toEqual(new Set());
      expect(await store.isFileProcessed('file:///logs/x', 'c.json', 'size=1,mtime=1')).toBe(true);
      expect(await store.listIngestFailures()).toMatchObject([{ source: 's3://trail', key: 'org/bad.json' }]);
      // Whether that failure was transient is unknown: it is read once more rather than never again.
      expect(await store.failedKeys('s3://trail', [{ key: 'org/bad.json', fingerprint: 'e3' }])).toEqual(new Set());
      await store.close();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('rejects unsupported URLs', async () => {
    await expect(openStore('mysql://x')).rejects.toThrow(/sqlite:PATH, sqlite::memory: or postgres:/);
    await expect(openStore('sqlite:')).rejects.toThrow(/unsupported/);
  });
});
