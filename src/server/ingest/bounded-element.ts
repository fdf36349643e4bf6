/**
 * The bytes of one element (an array element, an NDJSON line) being split out of a byte stream, kept only up to a
 * limit: past it they are dropped as they come and the element counts as bad, so memory never holds more than the
 * limit however long the element runs (a 50 MB string, gigabytes without a separator).
 */

/** Marks an element that is not valid JSON or too long: a bad record, not a bad file. */
export const BAD_ELEMENT = Symbol('bad element');

export class BoundedElement {
  private pieces: Buffer[] = [];
  private bytes = 0;
  private oversized = false;

  constructor(private readonly maxBytes: number) {}

  add(piece: Buffer): void {
    if (this.oversized || piece.length === 0) return;
    this.bytes += piece.length;
    if (this.bytes > this.maxBytes) {
      this.oversized = true;
      this.pieces = [];
    } else this.pieces.push(piece);
  }

  /** Ends the element with `tail`: its text, or BAD_ELEMENT when it grew past the limit. Starts the next one. */
  take(tail: Buffer): string | typeof BAD_ELEMENT {
    this.add(tail);
    const { pieces, oversized } = this;
    this.pieces = [];
    this.bytes = 0;
    this.oversized = false;
    if (oversized) return BAD_ELEMENT;
    if (pieces.length === 0) return '';
    return (pieces.length === 1 ? pieces[0]! : Buffer.concat(pieces)).toString('utf8');
  }
}

/** The JSON value of an element's text, or BAD_ELEMENT when it is not JSON. */
export function parseElement(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return BAD_ELEMENT;
  }
}
