/**
 * The pipeline: for each object a source lists or a queue names, skip it when the store already has it,
 * otherwise read it, run the rules and commit its violations together with the processed-file record
 * (one transaction, so a run killed at any point and restarted ends with exactly the same violations).
 * A file that is not CloudTrail is recorded as a failure and skipped; the run goes on.
 *
 * The store is asked about whole batches of listed objects at once, and processed files are committed
 * several per transaction (commit-batcher.ts): per-file round trips would otherwise cost as much as parsing.
 *
 * Listings (ingest-listing.ts) claim their objects in the store before reading them, so that server replicas
 * split them. Queue messages (here) are not claimed: SQS hands each message to one replica at a time already.
 */
export { emptySummary } from './ingest-types.js';
export type { IngestFailureReport, IngestSummary, IngestContext, FileOutcome } from './ingest-types.js';
export { ingestListing, CLAIM_BATCH, CLAIM_RETRY_MS } from './ingest-listing.js';
import { CommitBatcher } from './commit-batcher.js';
import type { IngestContext } from './ingest-types.js';
import { knownKeys, processObject, skipped } from './process-object.js';
import type { QueueMessage } from './source.js';

/**
 * Ingests the objects of one queue message (committed together) and acknowledges it, unless a file could not
 * be fetched: then the message is left for redelivery. A malformed file is recorded as failed and does not
 * hold the message back.
 */
export async function ingestMessage(message: QueueMessage, ctx: IngestContext): Promise<boolean> {
  const source = message.objectSource;
  const { done, failed } = await knownKeys(source, message.objects, ctx);
  const batcher = new CommitBatcher(ctx);
  let acked = false;
  try {
    const outcomes = await Promise.all(
      message.objects.map((object) => {
        ctx.summary.files += 1;
        if (done.has(object.key)) return skipped(source, object, ctx, false);
        if (failed.has(object.key)) return skipped(source, object, ctx, true);
        return processObject(source, object, ctx, batcher);
      }),
    );
    await batcher.flush();
    if (outcomes.some((outcome) => outcome.transient === true)) return false;
    await message.ack();
    acked = true;
    return true;
  } finally {
    // Left for redelivery: it may become visible again once its visibility timeout runs out.
    if (!acked) message.release?.();
  }
}
