/**
 * The SQLite store compiles the whitelist once and keeps it until a rule changes (its own write, or a commit of
 * another connection seen through `PRAGMA data_version`) or a rule expires; a commit reads no rule otherwise.
 */
import { describe, it, expect } from 'vitest';
import Database from 'better-sqlite3';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { migrate } from './sqlite-migrate.js';
import { SqliteInserter } from './sqlite-inserter.js';
import { SqliteRules } from './sqlite-rules.js';
import { openStore } from './open-store.js';
import type { ViolationDraft } from '../model.js';

const draft = (eventId: string): ViolationDraft => ({
  eventId,
  accountId: '111111111111',
  region: 'eu-west-1',
  type: 'WRONG_REGION',
});
const page = { page: 0, size: 10, sort: [{ property: 'id' as const, direction: 'ASC' as const }] };

describe('the compiled whitelist of the SQLite store', () => {
  it('reads no rule on a commit while the rules are unchanged, and reads them again after a rule write', () => {
    const statements: string[] = [];
    const db = new Database(':memory:', { verbose: (sql) => statements.push(String(sql)) });
    migrate(db);
    const inserter = new SqliteInserter(db);
    const rules = new SqliteRules(db, () => inserter.forgetWhitelist());
    const known = new Set(['WRONG_REGION']);
    const ruleReads = () => statements.splice(0).filter((sql) => /\bFROM rule\b/.test(sql)).length;

    inserter.run([draft('e1')], known);
    expect(ruleReads()).toBe(1);
    inserter.run([draft('e2')], known);
    inserter.run([draft('e3')], known);
    expect(ruleReads()).toBe(0);
    rules.create({ reason: 'mine', accountId: '111111111111' }, 'u');
    ruleReads();
    inserter.run([draft('e4')], known);
    expect(ruleReads()).toBe(1);
    const whitelisted = db.prepare('SELECT event_id FROM violation WHERE rule_entity_id IS NOT NULL').pluck().all();
    expect(whitelisted).toEqual(['e4']);
    db.close();
  });

  it('notices rules another connection creates and replaces', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'fullstop-whitelist-'));
    try {
      const url = `sqlite:${join(dir, 'fullstop.db')}`;
      const ingest = await openStore(url);
      const api = await openStore(url);
      await ingest.insertViolations([draft('e1')]);
      const rule = await api.createWhitelistingRule({ reason: 'first', accountId: '111111111111' }, 'u');
      await ingest.insertViolations([draft('e2')]);
      await api.replaceWhitelistingRule(rule.id, { reason: 'second', accountId: '111111111111' }, 'u');
      await ingest.insertViolations([draft('e3')]);
      const comments = (await ingest.listViolations({ whitelisted: true }, page)).content.map((v) => [
        v.event_id,
        v.comment,
      ]);
      expect(comments).toEqual([
        ['e2', 'Whitelisted automatically because of:first'],
        ['e3', 'Whitelisted automatically because of:second'],
      ]);
      await Promise.all([ingest.close(), api.close()]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
