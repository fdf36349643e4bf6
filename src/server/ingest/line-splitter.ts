/**
 * Splits NDJSON out of a byte stream a line at a time and hands each line's value on. Memory holds one line of
 * at most `maxLineBytes`: a longer one (a 50 MB string, gigabytes without a line break) is dropped as it comes and
 * counts as one bad line, and the lines after it are read as usual.
 */
import { BAD_ELEMENT } from './array-splitter.js';

const NEWLINE = 0x0a;

/** Calls `onLine` with each non-blank line's JSON value, or with BAD_ELEMENT for a line that is not JSON or too long. */
export async function splitLines(
  chunks: AsyncIterable<Buffer>,
  onLine: (value: unknown) => void,
  maxLineBytes: number,
): Promise<void> {
  let pending: Buffer[] = [];
  let pendingBytes = 0;
  let oversized = false;
  let first = true;

  const keep = (piece: Buffer) => {
    if (oversized || piece.length === 0) return;
    pendingBytes += piece.length;
    if (pendingBytes > maxLineBytes) {
      oversized = true;
      pending = [];
    } else pending.push(piece);
  };

  const end = (tail: Buffer) => {
    keep(tail);
    const parts = pending;
    const tooLong = oversized;
    pending = [];
    pendingBytes = 0;
    oversized = false;
    if (tooLong) {
      first = false;
      onLine(BAD_ELEMENT);
      return;
    }
    let text = Buffer.concat(parts).toString('utf8');
    if (first && text.charCodeAt(0) === 0xfeff) text = text.slice(1);
    if (text.trim() === '') return;
    first = false;
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch {
      value = BAD_ELEMENT;
    }
    onLine(value);
  };

  for await (const chunk of chunks) {
    let start = 0;
    for (let newline = chunk.indexOf(NEWLINE); newline >= 0; newline = chunk.indexOf(NEWLINE, start)) {
      end(chunk.subarray(start, newline));
      start = newline + 1;
    }
    keep(chunk.subarray(start));
  }
  end(Buffer.alloc(0));
}
