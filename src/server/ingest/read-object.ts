import type { Readable } from 'node:stream';
import type { SourceObject } from './source.js';
import { FAST_PATH_MAX_BYTES } from './cloudtrail.js';

/** Objects up to this size are read whole and parsed at once (possibly in a worker); larger ones are streamed. */
export const MAX_BUFFERED_BYTES = FAST_PATH_MAX_BYTES;

/**
 * Reads an object's bytes into one buffer that owns its memory (so it can be transferred to a worker), or
 * returns undefined as soon as it proves larger than `limit`.
 */
export async function readWhole(object: SourceObject, limit = MAX_BUFFERED_BYTES): Promise<Uint8Array | undefined> {
  if (object.size !== undefined && object.size > limit) return undefined;
  if (object.read !== undefined && object.size !== undefined) return owned(await object.read());
  const stream: Readable = await object.open();
  const chunks: Buffer[] = [];
  let length = 0;
  try {
    for await (const chunk of stream) {
      const buffer = chunk as Buffer;
      length += buffer.length;
      if (length > limit) return undefined;
      chunks.push(buffer);
    }
  } finally {
    stream.destroy();
  }
  const whole = new Uint8Array(new ArrayBuffer(length));
  let offset = 0;
  for (const chunk of chunks) {
    whole.set(chunk, offset);
    offset += chunk.length;
  }
  return whole;
}

/** The bytes in a buffer of their own: a slice of Node's shared pool must not be transferred to a worker. */
function owned(bytes: Uint8Array): Uint8Array {
  if (bytes.byteOffset === 0 && bytes.byteLength === bytes.buffer.byteLength) return bytes;
  return new Uint8Array(bytes);
}
