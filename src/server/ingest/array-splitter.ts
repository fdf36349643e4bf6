/**
 * Splits the elements of one JSON array out of a byte stream without tokenising them: it only tracks strings
 * and nesting depth to find the commas and the bracket that end each top-level element, then hands each
 * element's text to JSON.parse. Much faster than a token-level streaming parser, and memory holds one element,
 * of at most `maxElementBytes`: a longer one (a 50 MB string, gigabytes of whitespace) is skipped unkept as bad.
 */
import { CloudTrailFormatError } from './cloudtrail.js';
import { BAD_ELEMENT, BoundedElement, parseElement } from './bounded-element.js';

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const COMMA = 0x2c;
const OPEN_BRACE = 0x7b;
const CLOSE_BRACE = 0x7d;
const OPEN_BRACKET = 0x5b;
const CLOSE_BRACKET = 0x5d;
const SPACE = 0x20;
const NEWLINE = 0x0a;
const RETURN = 0x0d;
const TAB = 0x09;

export interface SplitOptions {
  /** The array is the value of `{"Records": ...}`: its closing brace follows. */
  wrapped: boolean;
  maxElementBytes: number;
}

/**
 * Calls `onElement` with each parsed element of the array whose `[` ends at byte `skip` of the stream.
 * Throws CloudTrailFormatError when the stream ends before the array does, or when anything but whitespace (and,
 * for `{"Records": [...]}`, its closing brace) follows it: records after it would otherwise be lost unseen.
 */
export async function splitArray(
  chunks: AsyncIterable<Buffer>,
  skip: number,
  onElement: (value: unknown) => void,
  options: SplitOptions,
): Promise<void> {
  let closingBrace = options.wrapped;
  let depth = 0;
  let inString = false;
  let escaped = false;
  const element = new BoundedElement(options.maxElementBytes);
  let toSkip = skip;
  let closed = false;

  const emit = (tail: Buffer) => {
    const taken = element.take(tail);
    if (taken === BAD_ELEMENT) {
      onElement(BAD_ELEMENT);
      return;
    }
    const text = taken.trim();
    if (text !== '') onElement(parseElement(text));
  };

  const checkTrailer = (rest: Buffer) => {
    for (const c of rest) {
      if (c === SPACE || c === NEWLINE || c === RETURN || c === TAB) continue;
      if (c === CLOSE_BRACE && closingBrace) closingBrace = false;
      else
        throw new CloudTrailFormatError(
          'not CloudTrail: more JSON follows the records array (NDJSON of deliveries with a line over the sniffing size?)',
        );
    }
  };

  for await (const input of chunks) {
    if (closed) {
      checkTrailer(input);
      continue;
    }
    let chunk = input;
    if (toSkip > 0) {
      const dropped = Math.min(toSkip, chunk.length);
      toSkip -= dropped;
      chunk = chunk.subarray(dropped);
    }
    let start = 0;
    for (let i = 0; i < chunk.length; i += 1) {
      const c = chunk[i]!;
      if (inString) {
        if (escaped) escaped = false;
        else if (c === BACKSLASH) escaped = true;
        else if (c === QUOTE) inString = false;
        continue;
      }
      if (c === QUOTE) inString = true;
      else if (c === OPEN_BRACE || c === OPEN_BRACKET) depth += 1;
      else if (c === CLOSE_BRACE || c === CLOSE_BRACKET) {
        if (depth === 0) {
          emit(chunk.subarray(start, i));
          closed = true;
          checkTrailer(chunk.subarray(i + 1));
          break;
        }
        depth -= 1;
      } else if (c === COMMA && depth === 0) {
        emit(chunk.subarray(start, i));
        start = i + 1;
      }
    }
    if (!closed && start < chunk.length) element.add(chunk.subarray(start));
  }
  if (!closed) throw new CloudTrailFormatError('invalid JSON: the file ends inside the records array (truncated?)');
}
