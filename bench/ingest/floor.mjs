// The floor for `fullstop ingest`: gunzip and JSON.parse every delivery file under a folder, nothing else.
// Usage: node bench/ingest/floor.mjs DIR   (prints the number of records read)
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';

let records = 0;
function walk(dir) {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) walk(path);
    else if (entry.name.endsWith('.json.gz'))
      records += JSON.parse(gunzipSync(readFileSync(path)).toString('utf8')).Records.length;
  }
}
walk(process.argv[2]);
process.stdout.write(`${records}\n`);
