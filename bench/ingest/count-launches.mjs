// Counts the RunInstances records of the delivery files under a folder (the events the enrichment benchmark
// looks up). Usage: node bench/ingest/count-launches.mjs DIR
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';

let launches = 0;
function walk(dir) {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) walk(path);
    else if (entry.name.endsWith('.json.gz'))
      for (const record of JSON.parse(gunzipSync(readFileSync(path)).toString('utf8')).Records)
        if (record.eventName === 'RunInstances' && record.eventSource === 'ec2.amazonaws.com') launches += 1;
  }
}
walk(process.argv[2]);
process.stdout.write(`${launches}\n`);
