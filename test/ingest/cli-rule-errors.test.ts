/**
 * How `fullstop ingest` reports rule errors. No shipped rule throws (they are written to read any event shape), so
 * the pipeline is replaced by one that reports a rule error, as the real one does (test/ingest/rule-errors.test.ts).
 */
import { describe, expect, it, vi } from 'vitest';
import { emptySummary } from '../../src/server/ingest/ingest-types.js';
import type { RunIngestOptions } from '../../src/server/ingest/run.js';
import { runCli } from '../helpers/run-cli.js';

vi.mock('../../src/server/ingest/run.js', () => ({
  IngestSetupError: class IngestSetupError extends Error {},
  runIngest: async (options: RunIngestOptions) => {
    const summary = { ...emptySummary(), files: 2, filesIngested: 2, records: 12, ruleErrors: 7 };
    const samples = Array.from({ length: 5 }, (_, i) => ({ rule: 'BROKEN_RULE', eventId: `e-${i}`, message: 'boom' }));
    options.onFile?.(summary, { source: 'file:///logs', key: 'a.json', status: 'ingested' });
    options.onFile?.(summary, {
      source: 'file:///logs',
      key: 'b.json',
      status: 'ingested',
      ruleErrors: { count: 7, samples },
    });
    return summary;
  },
}));

describe('fullstop ingest with a rule error', () => {
  it('names the rule, the event and the file on stderr, counts them, and still exits 0', async () => {
    const result = await runCli(['ingest', '/logs', '--db', 'sqlite::memory:']);
    expect(result.code).toBe(0);
    expect(result.stderr).toContain('rule error: file:///logs b.json: BROKEN_RULE threw on event e-0: boom\n');
    expect(result.stderr).toContain('rule error: file:///logs b.json: BROKEN_RULE threw on event e-4: boom\n');
    expect(result.stderr).toContain('rule error: file:///logs b.json: 2 more\n');
    expect(result.stderr).toContain('7 rule error(s): a detection rule threw');
    expect(result.stderr).not.toContain('a.json');
    expect(result.stdout).toContain('records     12 (0 bad records skipped, 7 rule errors)');
  });

  it('reports rule_errors in -o json', async () => {
    const result = await runCli(['ingest', '/logs', '--db', 'sqlite::memory:', '-o', 'json']);
    expect(JSON.parse(result.stdout)).toMatchObject({ files: 2, records: 12, rule_errors: 7 });
  });
});
