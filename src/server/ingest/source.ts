/**
 * Where CloudTrail files come from. A source lists objects; the pipeline reads, parses and commits each one.
 * Contract between the pipeline (`ingest.ts`) and the source adapters (`local.ts`, `s3.ts`, `sqs.ts`).
 */
import type { Readable } from 'node:stream';

/** Narrows a scan by the CloudTrail key layout `AWSLogs/[<org-id>/]<account>/CloudTrail/<region>/YYYY/MM/DD/…`. */
export interface SourceFilter {
  accounts?: string[];
  regions?: string[];
  since?: Date;
  until?: Date;
}

export interface SourceObject {
  /** Path relative to the source root, or the S3 key. */
  key: string;
  /** ETag, or size and mtime: what makes a changed file count as new. */
  fingerprint: string;
  size?: number;
  /** The raw bytes, gzipped or not: the reader recognises the format by content, not by name. */
  open(): Promise<Readable>;
  /** Optional: all bytes at once, when the source can do that cheaper than a stream (a local file). */
  read?(): Promise<Uint8Array>;
  /** Optional: the object is this local file, so a worker thread can read it itself instead of being sent its bytes. */
  path?: string;
}

/** A one-shot listing source (a local folder or file, an S3 prefix); polled again to find new objects. */
export interface ListingSource {
  readonly kind: 'listing';
  /** Canonical id of the source, stored with every processed file, e.g. `file:///logs` or `s3://bucket/prefix`. */
  readonly url: string;
  list(filter: SourceFilter, signal?: AbortSignal): AsyncIterable<SourceObject>;
}

/** One message of a queue source: the objects it names, and how to acknowledge it once they are committed. */
export interface QueueMessage {
  /** Where the objects live (e.g. `s3://bucket`), used as the processed-file source. */
  objectSource: string;
  objects: SourceObject[];
  /** Deletes the message; call only after every object was committed (or recorded as failed). */
  ack(): Promise<void>;
}

/** A queue of notifications (SQS): long-polled until the signal aborts. */
export interface QueueSource {
  readonly kind: 'queue';
  readonly url: string;
  receive(signal: AbortSignal): AsyncIterable<QueueMessage>;
}

export type Source = ListingSource | QueueSource;
