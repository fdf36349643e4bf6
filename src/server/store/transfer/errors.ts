/** Errors of `fullstop export`, `import` and `migrate`, worded for the person who ran the command. */
import { redactUrl as redact } from '../db-url.js';

export { POSTGRES_URL, redactUrl as redact } from '../db-url.js';

/** The input or the database is not what the command needs; the command reports the message and exits 1. */
export class TransferError extends Error {
  override name = 'TransferError';
}

export function unsupported(url: string): TransferError {
  return new TransferError(
    `unsupported database URL '${redact(url)}': expected sqlite:PATH or postgres://USER@HOST/DATABASE`,
  );
}

/** Runs `fn`; any failure but our own becomes a TransferError that names what was being done. */
export async function describing<T>(what: string, fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (error) {
    if (error instanceof TransferError) throw error;
    throw new TransferError(`${what}: ${(error as Error).message}`, { cause: error });
  }
}
