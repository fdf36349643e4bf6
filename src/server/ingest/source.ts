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
  /** Set by an incremental listing: see ListingMarks. */
  mark?: FolderMark;
}

/**
 * Where a polling listing may resume: the folder an object was listed in (an S3 `…/CloudTrail/<region>/` prefix,
 * a local leaf folder) and a value that lets the next listing skip what this one saw (the S3 key to start after,
 * the folder's mtime). A mark counts only once every object listed before it was committed or recorded.
 */
export interface FolderMark {
  folder: string;
  value: string;
}

/** How a polling listing should list: `marks` of earlier passes to skip by (absent: list everything). */
export interface IncrementalListing {
  marks?: ReadonlyMap<string, string>;
}

/** A one-shot listing source (a local folder or file, an S3 prefix); polled again to find new objects. */
export interface ListingSource {
  readonly kind: 'listing';
  /** Canonical id of the source, for logs, e.g. `file:///logs` or `s3://bucket/prefix`. */
  readonly url: string;
  /**
   * Where the objects live, stored with every processed file: `file:///logs` (keys relative to it), or `s3://bucket`
   * for any prefix of the bucket (keys are whole S3 keys), as queue notifications name them: a file reached both
   * ways is read once.
   */
  readonly objectSource: string;
  /** Lists the objects; with `incremental`, marks them and skips what the given marks show was listed before. */
  list(filter: SourceFilter, signal?: AbortSignal, incremental?: IncrementalListing): AsyncIterable<SourceObject>;
  /** Told about a listed object that could not be fetched, so that an incremental listing lists it again. */
  notFetched?(object: SourceObject): void;
}

/** One message of a queue source: the objects it names, and how to acknowledge it once they are committed. */
export interface QueueMessage {
  /** Where the objects live (e.g. `s3://bucket`), used as the processed-file source. */
  objectSource: string;
  objects: SourceObject[];
  /** Deletes the message; call only after every object was committed (or recorded as failed). */
  ack(): Promise<void>;
  /**
   * Optional: the pipeline is done with a message it did not ack; the source stops keeping it invisible, so it is
   * received again (here or by another replica) once its visibility timeout runs out.
   */
  release?(): void;
}

/** A queue of notifications (SQS): long-polled until the signal aborts, or (`untilEmpty`) a poll finds none. */
export interface QueueSource {
  readonly kind: 'queue';
  readonly url: string;
  receive(signal: AbortSignal, options?: { untilEmpty?: boolean }): AsyncIterable<QueueMessage>;
}

export type Source = ListingSource | QueueSource;
