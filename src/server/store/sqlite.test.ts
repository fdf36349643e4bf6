import { describe, it, expect } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
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

  it('rejects unsupported URLs', async () => {
    await expect(openStore('mysql://x')).rejects.toThrow(/sqlite:PATH, sqlite::memory: or postgres:/);
    await expect(openStore('sqlite:')).rejects.toThrow(/unsupported/);
  });
});
