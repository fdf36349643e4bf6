// The floor for `fullstop ingest`: gunzip and JSON.parse every delivery file under a folder, nothing else.
// Usage: node bench/ingest/floor.mjs DIR   (prints the number of records read)
//
// Each file is gunzipped as the product does (src/server/ingest/cloudtrail.ts): into one output buffer sized from
// the size the gzip trailer declares (ISIZE, RFC 1952), not in 16 KB chunks joined at the end, which costs about
// a quarter more. A floor that inflated the slow way would flatter the product's ratio to it.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { constants, gunzipSync } from 'node:zlib';

function gunzip(bytes) {
  const end = bytes.length;
  const declared = (bytes[end - 4] | (bytes[end - 3] << 8) | (bytes[end - 2] << 16) | (bytes[end - 1] << 24)) >>> 0;
  return gunzipSync(bytes, { chunkSize: Math.max(declared + 64, constants.Z_MIN_CHUNK) });
}

let records = 0;
function walk(dir) {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) walk(path);
    else if (entry.name.endsWith('.json.gz'))
      records += JSON.parse(gunzip(readFileSync(path)).toString('utf8')).Records.length;
  }
}
walk(process.argv[2]);
process.stdout.write(`${records}\n`);
