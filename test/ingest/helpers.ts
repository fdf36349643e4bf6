import { fileURLToPath } from 'node:url';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openStore } from '../../src/server/store/open-store.js';
import type { ViolationStore } from '../../src/server/store/store.js';
import { createLocalSource } from '../../src/server/ingest/local.js';
import { createInlineProcessor } from '../../src/server/ingest/processor.js';
import { emptySummary, ingestListing, type IngestSummary } from '../../src/server/ingest/ingest.js';
import type { RulesConfig } from '../../src/server/rules/config-schema.js';
import type { SourceFilter } from '../../src/server/ingest/source.js';

/** The CloudTrail samples kept in the repository, with their licences. */
export const SAMPLES = fileURLToPath(new URL('../fixtures/cloudtrail', import.meta.url));

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
