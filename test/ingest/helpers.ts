import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { expect } from 'vitest';
import { openStore } from '../../src/server/store/open-store.js';
import type { ViolationStore } from '../../src/server/store/store.js';
import { createLocalSource } from '../../src/server/ingest/local.js';
import { createInlineProcessor } from '../../src/server/ingest/processor.js';
import { emptySummary, ingestListing, type IngestSummary } from '../../src/server/ingest/ingest.js';
import type { RulesConfig } from '../../src/server/rules/config-schema.js';
import type { SourceFilter } from '../../src/server/ingest/source.js';

/** The CloudTrail samples kept in the repository, with their licences. */
export const SAMPLES = fileURLToPath(new URL('../fixtures/cloudtrail', import.meta.url));

const BIN = fileURLToPath(new URL('../../dist/bin/fullstop.js', import.meta.url));

/**
 * A rule that throws is a bug, never an expected outcome: every ingest in the tests checks that none did (the
 * summary's count, `rule_errors` of `-o json`, the "rule error:" lines on stderr).
 */
export function expectNoRuleErrors(result: { ruleErrors?: number; rule_errors?: number; stderr?: string }): void {
  expect(result.ruleErrors ?? 0).toBe(0);
  expect(result.rule_errors ?? 0).toBe(0);
  expect(result.stderr ?? '').not.toContain('rule error');
}

/** Runs the built `fullstop` (npm run build first; npm test does it) and checks that no rule threw. */
export async function fullstopBinary(
  args: string[],
  env: NodeJS.ProcessEnv = { ...process.env, NO_COLOR: '1' },
): Promise<{ code: number; stdout: string; stderr: string }> {
  let result;
  try {
    const { stdout, stderr } = await promisify(execFile)(process.execPath, [BIN, ...args], { env });
    result = { code: 0, stdout, stderr };
  } catch (error) {
    const e = error as { code: number; stdout: string; stderr: string };
    result = { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
  expectNoRuleErrors({ stderr: result.stderr });
  if (args.includes('json') && result.stdout.startsWith('{'))
    expectNoRuleErrors(JSON.parse(result.stdout) as { rule_errors?: number });
  return result;
}

/** Ingests a local path into a store with the inline processor, as `fullstop ingest --workers 0` does. */
export async function ingestPath(
  store: ViolationStore,
  path: string,
  rules?: RulesConfig,
  filter: SourceFilter = {},
): Promise<IngestSummary> {
  const processor = createInlineProcessor(rules);
  const summary = emptySummary();
  try {
    await ingestListing(createLocalSource(path), filter, { store, processor, summary });
  } finally {
    await processor.close();
  }
  expectNoRuleErrors(summary);
  return summary;
}

/** Counts stored violations per type id. */
export async function countByType(store: ViolationStore): Promise<Record<string, number>> {
  const page = await store.listViolations({}, { page: 0, size: 100_000, sort: [{ property: 'id', direction: 'ASC' }] });
  const counts: Record<string, number> = {};
  for (const violation of page.content)
    counts[violation.violation_type.id] = (counts[violation.violation_type.id] ?? 0) + 1;
  return counts;
}

export async function memoryStore(): Promise<ViolationStore> {
  return openStore('sqlite::memory:');
}

/** A temporary directory removed by the returned cleanup. */
export function tempDir(prefix = 'fullstop-ingest-'): { path: string; cleanup: () => void } {
  const path = mkdtempSync(join(tmpdir(), prefix));
  return { path, cleanup: () => rmSync(path, { recursive: true, force: true }) };
}
