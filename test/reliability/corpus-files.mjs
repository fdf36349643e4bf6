// Large files of the malformed corpus, written in pieces so that they never sit in memory whole: gzip bombs
// assembled from one compressed block repeated (a deflate block that ends in a full flush does not refer back
// past itself), and files holding a 50 MB string.
import { closeSync, openSync, writeSync } from 'node:fs';
import { constants, crc32, deflateRawSync } from 'node:zlib';
import { goodRecord, MIB, STRING_BYTES } from './corpus-records.mjs';

/** gzip of `prefix`, then `fill` repeated to `fillBytes`, then `suffix`, written block by block. */
export function writeGzipBomb(path, { prefix = '', fill, fillBytes, suffix = '' }) {
  const fd = openSync(path, 'w');
  const chunk = Buffer.alloc(16 * MIB, fill);
  const flushed = (bytes) => deflateRawSync(bytes, { level: 9, finishFlush: constants.Z_FULL_FLUSH });
  const block = flushed(chunk);
  const chunks = Math.floor(fillBytes / chunk.length);
  const head = Buffer.from(prefix);
  const tail = Buffer.from(suffix);
  writeSync(fd, Buffer.from([0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 2, 0xff]));
  writeSync(fd, flushed(head));
  let crc = crc32(head);
  const chunkCrc = crc32(chunk);
  for (let i = 0; i < chunks; i += 1) {
    writeSync(fd, block);
    crc = crc32Combine(crc, chunkCrc, chunk.length);
  }
  writeSync(fd, deflateRawSync(tail, { level: 9 }));
  crc = crc32Combine(crc, crc32(tail), tail.length);
  const trailer = Buffer.alloc(8);
  const total = head.length + chunks * chunk.length + tail.length;
  trailer.writeUInt32LE(crc >>> 0, 0);
  trailer.writeUInt32LE(total % 2 ** 32, 4);
  writeSync(fd, trailer);
  closeSync(fd);
  return total;
}

// CRC-32 of two pieces from the CRCs of each (zlib's crc32_combine, GF(2) matrix method).
function gf2Times(matrix, vector) {
  let sum = 0;
  for (let i = 0; vector !== 0; i += 1, vector >>>= 1) if (vector & 1) sum ^= matrix[i];
  return sum >>> 0;
}
function gf2Square(square, matrix) {
  for (let n = 0; n < 32; n += 1) square[n] = gf2Times(matrix, matrix[n]);
}
export function crc32Combine(crc1, crc2, length2) {
  if (length2 <= 0) return crc1;
  const even = new Array(32);
  const odd = new Array(32);
  odd[0] = 0xedb88320;
  for (let n = 1, row = 1; n < 32; n += 1, row <<= 1) odd[n] = row >>> 0;
  gf2Square(even, odd);
  gf2Square(odd, even);
  let length = length2;
  let crc = crc1 >>> 0;
  do {
    gf2Square(even, odd);
    if (length % 2 === 1) crc = gf2Times(even, crc);
    length = Math.floor(length / 2);
    if (length === 0) break;
    gf2Square(odd, even);
    if (length % 2 === 1) crc = gf2Times(odd, crc);
    length = Math.floor(length / 2);
  } while (length !== 0);
  return (crc ^ crc2) >>> 0;
}

/** A file of `{"Records": [good, …huge record…, good]}` written in pieces: the huge string never sits in memory whole. */
export function writeWithHugeString(path, { before, after, open = '{"Records":[', close = ']}', separator = ',' }) {
  const fd = openSync(path, 'w');
  writeSync(fd, open + before.map((r) => JSON.stringify(r) + separator).join(''));
  const record = JSON.stringify({ ...goodRecord('huge-string'), userAgent: '@@' });
  const [start, end] = record.split('@@');
  writeSync(fd, start);
  const piece = Buffer.alloc(MIB, 'a');
  for (let i = 0; i < STRING_BYTES / MIB; i += 1) writeSync(fd, piece);
  writeSync(fd, end + after.map((r) => separator + JSON.stringify(r)).join('') + close);
  closeSync(fd);
}
