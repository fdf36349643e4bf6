/**
 * `fullstop ingest` (the built binary, as a child process) over a corpus of malformed CloudTrail files made at test
 * time by `malformed-corpus.mjs`: broken gzip, gzip bombs of 10 GiB, invalid UTF-8 and JSON, JSON nested 100,000
 * deep, 50 MB strings, wrong types in every field the rules read, and good records around bad ones. The ingest
 * never crashes, its peak memory stays under PEAK_RSS_LIMIT_MB, every bad file is reported with its reason (stderr,
 * the summary, GET /api/ingest/failures), and the good records of partly good files are stored.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { gunzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openStore } from '../../src/server/store/open-store.js';
import { startServerProcess } from '../e2e/server-process.js';
import { runMeasured, type Measured } from './measure.js';

/**
 * With the default worker threads the peak varies between about 210 and 290 MB from run to run (when each thread
 * happens to collect its garbage), 155 to 200 MB without workers; before the reader's limits it was 11 GB.
 */
const PEAK_RSS_LIMIT_MB = 350;
const GENERATOR = join(import.meta.dirname, 'malformed-corpus.mjs');

interface Entry {
  file: string;
  expect: 'failed' | 'ingested';
  reason?: string;
  good?: string[];
  badRecords?: number;
  decompressedBytes?: number;
}

interface Summary {
  files: number;
  files_ingested: number;
  files_failed: number;
  records: number;
  bad_records: number;
  rule_errors: number;
  violations_new: number;
  failures: Array<{ source: string; key: string; reason: string }>;
}

const dir = mkdtempSync(join(tmpdir(), 'fullstop-malformed-'));
const corpus = join(dir, 'corpus');
let manifest: Entry[];
const runs: Record<string, { run: Measured; summary: Summary; db: string }> = {};

async function ingest(label: string, extra: string[]) {
  const db = join(dir, `${label}.db`);
  const run = await runMeasured(['ingest', corpus, '--db', `sqlite:${db}`, '-o', 'json', ...extra]);
  const summary = JSON.parse(run.stdout) as Summary;
  runs[label] = { run, summary, db };
  console.log(
    `malformed corpus, ${label}: exit ${run.code}, peak RSS ${run.peakRssMb.toFixed(0)} MB (${run.method}), ` +
      `${run.wallSeconds.toFixed(1)} s wall, ${run.cpuSeconds.toFixed(1)} s CPU; ${summary.files_ingested} files ` +
      `ingested, ${summary.files_failed} failed, ${summary.records} records, ${summary.bad_records} bad, ` +
      `${summary.violations_new} violations`,
  );
}

beforeAll(async () => {
  const started = performance.now();
  await promisify(execFile)(process.execPath, [GENERATOR, '--out', corpus]);
  manifest = JSON.parse(readFileSync(join(corpus, '.manifest.json'), 'utf8')) as Entry[];
  const bombs = manifest.filter((e) => (e.decompressedBytes ?? 0) > 2 ** 33).length;
  console.log(
    `malformed corpus: ${manifest.length} files (${bombs} gzip bombs of 10 GiB) written in ` +
      `${((performance.now() - started) / 1000).toFixed(1)} s`,
  );
  // One file at a time on this thread, and worker threads as by default.
  await ingest('inline', ['--workers', '0']);
  await ingest('2 workers', ['--workers', '2']);
}, 120_000);
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const failedFiles = () => manifest.filter((e) => e.expect === 'failed');
const goodFiles = () => manifest.filter((e) => e.expect === 'ingested');

describe('fullstop ingest over malformed CloudTrail', () => {
  it('has at least 40 malformed inputs', () => {
    expect(manifest.length).toBeGreaterThanOrEqual(40);
    expect(failedFiles().length).toBeGreaterThanOrEqual(30);
  });

  it('writes gzip bombs that are valid gzip of the size they claim (checked on 64 MiB ones)', async () => {
    const small = join(dir, 'small-bombs');
    await promisify(execFile)(process.execPath, [GENERATOR, '--out', small, '--bomb-gib', String(1 / 16)]);
    const entries = (JSON.parse(readFileSync(join(small, '.manifest.json'), 'utf8')) as Entry[]).filter(
      (e) => e.decompressedBytes !== undefined,
    );
    expect(entries.length).toBe(4);
    for (const entry of entries) {
      // gunzip checks the CRC-32 and the length in the trailer.
      const text = gunzipSync(readFileSync(join(small, entry.file)), { maxOutputLength: 2 ** 27 });
      expect([entry.file, text.length]).toEqual([entry.file, entry.decompressedBytes]);
    }
    rmSync(small, { recursive: true, force: true });
  });

  for (const label of ['inline', '2 workers']) {
    it(`never crashes and stays under ${PEAK_RSS_LIMIT_MB} MB (${label})`, () => {
      const { run, summary } = runs[label]!;
      // 1: some files failed, after every other one was ingested.
      expect(run.code).toBe(1);
      expect(run.stderr).not.toMatch(/unexpected failure|Error:|rule error/);
      expect(run.peakRssMb).toBeLessThan(PEAK_RSS_LIMIT_MB);
      expect(summary).toMatchObject({
        files: manifest.length,
        files_ingested: goodFiles().length,
        files_failed: failedFiles().length,
        rule_errors: 0,
        bad_records: goodFiles().reduce((sum, e) => sum + e.badRecords!, 0),
      });
    });

    it(`reports every bad file with its reason, on stderr and in the summary (${label})`, () => {
      const { run, summary } = runs[label]!;
      const reasons = new Map(summary.failures.map((f) => [f.key, f.reason]));
      for (const entry of failedFiles()) {
        expect([entry.file, reasons.get(entry.file)]).toEqual([entry.file, expect.stringMatching(entry.reason!)]);
        expect(run.stderr).toContain(
          `failed: ${summary.failures[0]!.source} ${entry.file}: ${reasons.get(entry.file)}`,
        );
      }
      expect(reasons.size).toBe(failedFiles().length);
    });
  }

  it('stores the good records of partly good files, and the same whether workers read them or not', async () => {
    for (const { db } of Object.values(runs)) {
      const store = await openStore(`sqlite:${db}`);
      let tampering;
      try {
        tampering = await store.listViolations(
          { createdBefore: Date.now() + 1000, types: ['CLOUDTRAIL_TAMPERING'] },
          { page: 0, size: 100_000, sort: [] },
        );
      } finally {
        await store.close();
      }
      const perEvent = new Map<string | null, number>();
      for (const v of tampering.content) perEvent.set(v.event_id, (perEvent.get(v.event_id) ?? 0) + 1);
      for (const entry of goodFiles())
        for (const eventId of entry.good!)
          expect([entry.file, eventId, perEvent.get(eventId)]).toEqual([entry.file, eventId, 1]);
    }
    expect(runs['inline']!.summary).toEqual(
      expect.objectContaining({ ...runs['2 workers']!.summary, failures: expect.any(Array) }),
    );
  });

  it('lists every bad file in GET /api/ingest/failures, and serves every stored violation', async () => {
    const server = await startServerProcess(['--no-auth', '--db', `sqlite:${runs['2 workers']!.db}`]);
    try {
      const failures = (await (await fetch(`${server.url}/api/ingest/failures`)).json()) as Array<{
        key: string;
        reason: string;
      }>;
      expect(failures.map((f) => f.key).sort()).toEqual(failedFiles().map((e) => e.file));
      for (const f of failures) expect(f.reason).toMatch(new RegExp(manifest.find((e) => e.file === f.key)!.reason!));
      // Violations found in mangled records are served like any other: every page answers 200.
      let served = 0;
      for (let page = 0; ; page++) {
        const res = await fetch(`${server.url}/api/violations?size=1000&page=${page}&sort=id,asc`);
        expect(res.status).toBe(200);
        const body = (await res.json()) as { content: unknown[]; last: boolean };
        served += body.content.length;
        if (body.last) break;
      }
      expect(served).toBe(runs['2 workers']!.summary.violations_new);
    } finally {
      await server.stop();
    }
  });
});
