/**
 * Splits NDJSON out of a byte stream a line at a time and hands each line's value on. Memory holds one line of
 * at most `maxLineBytes`: a longer one (a 50 MB string, gigabytes without a line break) is dropped as it comes and
 * counts as one bad line, and the lines after it are read as usual.
 */
import { BAD_ELEMENT, BoundedElement, parseElement } from './bounded-element.js';

const NEWLINE = 0x0a;

/** Calls `onLine` with each non-blank line's JSON value, or with BAD_ELEMENT for a line that is not JSON or too long. */
export async function splitLines(
  chunks: AsyncIterable<Buffer>,
  onLine: (value: unknown) => void,
  maxLineBytes: number,
): Promise<void> {
  const line = new BoundedElement(maxLineBytes);
  let first = true;

  const end = (tail: Buffer) => {
    let text = line.take(tail);
    if (text === BAD_ELEMENT) {
      first = false;
      onLine(BAD_ELEMENT);
      return;
    }
    // A byte-order mark may open the file, never a later line.
    if (first && text.charCodeAt(0) === 0xfeff) text = text.slice(1);
    if (text.trim() === '') return;
    first = false;
    onLine(parseElement(text));
  };

  for await (const chunk of chunks) {
    let start = 0;
    for (let newline = chunk.indexOf(NEWLINE); newline >= 0; newline = chunk.indexOf(NEWLINE, start)) {
      end(chunk.subarray(start, newline));
      start = newline + 1;
    }
    line.add(chunk.subarray(start));
  }
  end(Buffer.alloc(0));
}
