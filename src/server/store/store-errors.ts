/**
 * A write the database refused for a reason outside the request: another process holds its write lock for too
 * long, the disk is full, an I/O error, a read-only or corrupt file. Nothing of the write was kept (its transaction
 * rolled back), so the same write can succeed later: ingest reports it and reads the files again on its next run
 * or poll; a server answering HTTP can tell the client to retry.
 */
export type StoreWriteTrouble = 'locked' | 'disk-full' | 'io' | 'read-only' | 'corrupt';

export class StoreWriteError extends Error {
  override name = 'StoreWriteError';
  constructor(
    readonly trouble: StoreWriteTrouble,
    message: string,
    options: { cause?: unknown } = {},
  ) {
    super(message, options);
  }
}
