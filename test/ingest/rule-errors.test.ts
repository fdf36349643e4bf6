/**
 * A detection rule that throws is a bug in the rule. It must not cost the file its other records or the event its
 * other rules, and it must not pass silently: it is counted apart (`ruleErrors`, not a bad record) and reported
 * with the rule's type and the event id, so that the log names what to fix.
 */
import { Readable } from 'node:stream';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { parseBuffer, RULE_ERROR_SAMPLES } from '../../src/server/ingest/cloudtrail.js';
import { parseStream } from '../../src/server/ingest/cloudtrail-stream.js';
import { emptySummary, ingestListing, type FileOutcome } from '../../src/server/ingest/ingest.js';
import { createLocalSource } from '../../src/server/ingest/local.js';
import { evaluateBytes, type FileProcessor } from '../../src/server/ingest/processor.js';
import { resolveRulesConfig } from '../../src/server/rules/config.js';
import { createEvaluator, detectionRules, type RuleError } from '../../src/server/rules/index.js';
import type { DetectionRule } from '../../src/server/rules/rule.js';
import { countByType, memoryStore, tempDir } from './helpers.js';

/** Throws on StopLogging, beside the real CLOUDTRAIL_TAMPERING rule that reports the same event. */
const broken: DetectionRule = {
  type: 'BROKEN_RULE',
  triggers: { 'cloudtrail.amazonaws.com': ['StopLogging'] },
  evaluate(event) {
    throw new TypeError(`cannot read properties of undefined (event ${event.eventID})`);
  },
};
const evaluate = createEvaluator(resolveRulesConfig(), [...detectionRules, broken]);
const stopLogging = (id: string) => ({
  eventID: id,
  eventSource: 'cloudtrail.amazonaws.com',
  eventName: 'StopLogging',
  awsRegion: 'eu-west-1',
  recipientAccountId: '123456789012',
  requestParameters: { name: 'main' },
});
const other = (id: string) => ({ ...stopLogging(id), eventName: 'DescribeTrails' });

const cleanups: Array<() => void | Promise<void>> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

describe('a rule that throws', () => {
  it('is reported with its type and the event id, and the event still gets its other rules', () => {
    const errors: RuleError[] = [];
    const drafts = evaluate(stopLogging('e-1') as never, undefined, (error) => errors.push(error));
    expect(drafts.map((d) => d.type)).toEqual(['CLOUDTRAIL_TAMPERING']);
    expect(errors).toEqual([
      { rule: 'BROKEN_RULE', eventId: 'e-1', message: 'cannot read properties of undefined (event e-1)' },
    ]);
    // Without a handler (the rules' own tests) it throws, so a test never hides it.
    expect(() => evaluate(stopLogging('e-1') as never)).toThrow(TypeError);
  });

  it('is counted apart from bad records, with a few examples per file, on both read paths', async () => {
    const records = [stopLogging('a'), other('b'), ...Array.from({ length: 7 }, (_, i) => stopLogging(`c${i}`)), 42];
    const text = JSON.stringify({ Records: records });
    const fast = parseBuffer(new Uint8Array(Buffer.from(text)), evaluate)!;
    const streamed = await parseStream(Readable.from([Buffer.from(text)]), evaluate);
    for (const result of [fast, streamed]) {
      expect(result).toMatchObject({ records: 9, badRecords: 1, ruleErrors: 8 });
      expect(result.ruleErrorSamples).toHaveLength(RULE_ERROR_SAMPLES);
      expect(result.ruleErrorSamples[0]).toEqual(expect.objectContaining({ rule: 'BROKEN_RULE', eventId: 'a' }));
      expect(result.drafts).toHaveLength(8);
    }
  });

  it('shows in the ingest summary and the file outcome, and the file is still committed', async () => {
    const dir = tempDir();
    cleanups.push(dir.cleanup);
    const store = await memoryStore();
    cleanups.push(() => store.close());
    writeFileSync(join(dir.path, 'a.json'), JSON.stringify({ Records: [stopLogging('e-1'), other('e-2')] }));
    writeFileSync(join(dir.path, 'b.json'), JSON.stringify({ Records: [other('e-3')] }));
    const processor: FileProcessor = {
      parallelism: 1,
      process: async (object) => evaluateBytes(await object.read!(), evaluate),
      close: async () => {},
    };
    const summary = emptySummary();
    const outcomes: FileOutcome[] = [];
    await ingestListing(
      createLocalSource(dir.path),
      {},
      { store, processor, summary, onFile: (_, o) => outcomes.push(o) },
    );
    expect(summary).toMatchObject({ filesIngested: 2, records: 3, badRecords: 0, ruleErrors: 1, violationsNew: 1 });
    expect(outcomes.find((o) => o.key === 'a.json')?.ruleErrors).toEqual({
      count: 1,
      samples: [expect.objectContaining({ rule: 'BROKEN_RULE', eventId: 'e-1' })],
    });
    expect(outcomes.find((o) => o.key === 'b.json')?.ruleErrors).toBeUndefined();
    expect(await countByType(store)).toEqual({ CLOUDTRAIL_TAMPERING: 1 });
  });
});
