#!/usr/bin/env node
// Writes a corpus of malformed CloudTrail files for the reliability suite, plus `.manifest.json` (hidden, so
// ingesting the folder skips it) saying what fullstop must make of each file:
//   - "failed": not CloudTrail at all; the ingest reports it with a reason matching `reason` (a regex source);
//   - "ingested": readable; the records listed in `good` are kept (each is a StopLogging call, so exactly one
//     CLOUDTRAIL_TAMPERING violation per good record), `badRecords` records are skipped as bad, and the others
//     (wrong types in fields the rules read) are read without a rule throwing.
//
//   node test/reliability/malformed-corpus.mjs --out DIR [--bomb-gib 10]
//
// The files themselves come from corpus-broken.mjs and corpus-partly-good.mjs; large ones are written in pieces
// (corpus-files.mjs), so a 10 GiB gzip bomb takes a moment and never sits in memory.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { writeBroken } from './corpus-broken.mjs';
import { writePartlyGood } from './corpus-partly-good.mjs';
import { goodRecord } from './corpus-records.mjs';

export function writeCorpus(out, { bombBytes = 10 * 1024 ** 3 } = {}) {
  mkdirSync(out, { recursive: true });
  const manifest = [];
  let n = 0;
  const name = (label, ext) => `${String(++n).padStart(2, '0')}-${label}.${ext}`;
  const failed = (label, ext, content, reason) => {
    const file = name(label, ext);
    if (content !== undefined) writeFileSync(join(out, file), content);
    manifest.push({ file, expect: 'failed', reason });
    return join(out, file);
  };
  const goods = (label, count) => Array.from({ length: count }, (_, i) => goodRecord(`good-${label}-${i}`));
  const ingested = (label, ext, good, badRecords, content) => {
    const file = name(label, ext);
    if (content !== undefined) writeFileSync(join(out, file), content);
    manifest.push({ file, expect: 'ingested', good: good.map((r) => r.eventID), badRecords });
    return join(out, file);
  };
  const records = (list) => JSON.stringify({ Records: list });
  const sample = records(goods('sample', 3));
  writeBroken({ out, bombBytes, manifest, failed, goods, sample });
  writePartlyGood({ out, manifest, ingested, goods, records });
  writeFileSync(join(out, '.manifest.json'), JSON.stringify(manifest, null, 1));
  return manifest;
}

if (process.argv[1] === new URL(import.meta.url).pathname) {
  const { values } = parseArgs({ options: { out: { type: 'string' }, 'bomb-gib': { type: 'string', default: '10' } } });
  if (!values.out) {
    process.stderr.write('usage: malformed-corpus.mjs --out DIR [--bomb-gib 10]\n');
    process.exit(2);
  }
  const manifest = writeCorpus(values.out, { bombBytes: Number(values['bomb-gib']) * 1024 ** 3 });
  process.stdout.write(`${manifest.length} files in ${values.out}\n`);
}
