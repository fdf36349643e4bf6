/**
 * `fullstop ingest s3://…` and `sqs://…` as a user runs them: the built binary (`npm run build` first; `npm test`
 * does it) against a real S3-compatible server (s3rver) and the JSON-protocol SQS test server, into SQLite files.
 */
import { execFile } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startS3Server, TEST_CREDENTIALS, type TestS3Server } from '../helpers/s3-server.js';
import { startSqsServer, type TestSqsServer } from '../helpers/sqs-server.js';
import { fullstopBinary, tempDir } from './helpers.js';

const run = promisify(execFile);
const GENERATOR = join(import.meta.dirname, '../../scripts/generate-cloudtrail.mjs');

interface Manifest {
  files: number;
  records: number;
  accounts: string[];
  violationsTotal: number;
}

const dir = tempDir('fullstop-s3-ingest-');
const logs = join(dir.path, 'logs');
let manifest: Manifest;
let keys: string[];
let s3: TestS3Server;
let sqs: TestSqsServer;

async function fullstop(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    NO_COLOR: '1',
    AWS_ACCESS_KEY_ID: TEST_CREDENTIALS.accessKeyId,
    AWS_SECRET_ACCESS_KEY: TEST_CREDENTIALS.secretAccessKey,
  };
  delete env['FULLSTOP_S3_ENDPOINT'];
  return fullstopBinary(args, env);
}

function walk(path: string): string[] {
  return readdirSync(path, { withFileTypes: true }).flatMap((entry) =>
    entry.isDirectory() ? walk(join(path, entry.name)) : entry.name.startsWith('.') ? [] : [join(path, entry.name)],
  );
}

beforeAll(async () => {
  await run(process.execPath, [
    GENERATOR,
    '--out',
    logs,
    '--records',
    '1200',
    '--per-file',
    '40',
    '--seed',
    '11',
    '--quiet',
  ]);
  manifest = JSON.parse(readFileSync(join(logs, '.manifest.json'), 'utf8')) as Manifest;
  [s3, sqs] = await Promise.all([startS3Server(), startSqsServer()]);
  await s3.createBucket('trail');
  keys = walk(logs).map((file) => relative(logs, file).split('\\').join('/'));
  for (const key of keys) await s3.put('trail', `org/${key}`, readFileSync(join(logs, key)));
}, 60_000);

afterAll(async () => {
  await Promise.all([s3?.close(), sqs?.close()]);
  dir.cleanup();
});

describe('fullstop ingest s3://', () => {
  it('ingests every delivery file once and nothing on a second run', async () => {
    const db = `sqlite:${join(dir.path, 's3.db')}`;
    const args = [
      'ingest',
      's3://trail/org',
      '--endpoint-url',
      s3.endpoint,
      '--db',
      db,
      '--workers',
      '0',
      '-o',
      'json',
    ];
    const first = await fullstop(args);
    expect(first.stderr).toBe('');
    expect(first.code).toBe(0);
    expect(JSON.parse(first.stdout)).toMatchObject({
      files: manifest.files,
      files_ingested: manifest.files,
      files_failed: 0,
      records: manifest.records,
      violations_new: manifest.violationsTotal,
    });
    const second = await fullstop(args);
    expect(second.code).toBe(0);
    expect(JSON.parse(second.stdout)).toMatchObject({ files: manifest.files, files_ingested: 0, violations_new: 0 });
  });

  it('reads only the files of the accounts asked for, listing only their prefixes', async () => {
    const account = manifest.accounts[1]!;
    const expected = keys.filter((key) => key.startsWith(`AWSLogs/${account}/`)).length;
    s3.clearLog();
    const result = await fullstop([
      'ingest',
      's3://trail/org',
      '--endpoint-url',
      s3.endpoint,
      '--accounts',
      account,
      '--db',
      `sqlite:${join(dir.path, 'one.db')}`,
      '--workers',
      '0',
      '-o',
      'json',
    ]);
    expect(result.code).toBe(0);
    expect(JSON.parse(result.stdout)).toMatchObject({ files: expected, files_ingested: expected, files_failed: 0 });
    expect(s3.listRequests().map((r) => r.prefix)).toEqual(['org/AWSLogs/', `org/AWSLogs/${account}/CloudTrail/`]);
  });
});

const notify = (key: string, eTag = 'x') => ({
  Records: [
    {
      eventName: 'ObjectCreated:Put',
      s3: {
        bucket: { name: 'trail' },
        object: { key: encodeURIComponent(key).replaceAll('%2F', '/'), eTag },
      },
    },
  ],
});

describe('fullstop ingest sqs://', () => {
  it(
    'ingests the notified files and deletes a message only once its files are committed',
    { timeout: 90_000 },
    async () => {
      const queue = sqs.createQueue('trail-events');
      for (const key of keys) sqs.send(queue, JSON.stringify(notify(`org/${key}`)));
      const missing = sqs.send(
        queue,
        JSON.stringify(notify('org/AWSLogs/111111111111/CloudTrail/eu-west-1/2024/05/01/gone.json.gz')),
      );

      const started = Date.now();
      const result = await fullstop([
        'ingest',
        `sqs://${queue}`,
        '--endpoint-url',
        s3.endpoint,
        '--db',
        `sqlite:${join(dir.path, 'sqs.db')}`,
        '--workers',
        '0',
        '-o',
        'json',
      ]);
      expect(result.code).toBe(1);
      expect(JSON.parse(result.stdout)).toMatchObject({
        files: manifest.files + 1,
        files_ingested: manifest.files,
        files_failed: 1,
        records: manifest.records,
        violations_new: manifest.violationsTotal,
      });
      // Every committed file's message is gone; the one whose file could not be fetched waits for redelivery.
      expect(sqs.stored(queue)).toMatchObject([{ id: missing, receiveCount: 1 }]);
      // It ends when a short long poll finds the queue empty, not after 20 s of waiting for more.
      expect(Date.now() - started).toBeLessThan(15_000);
    },
  );

  it('skips files already ingested through an S3 prefix of the same bucket', async () => {
    const account = manifest.accounts[0]!;
    const mine = keys.filter((key) => key.startsWith(`AWSLogs/${account}/`));
    const db = `sqlite:${join(dir.path, 'both.db')}`;
    const common = ['--endpoint-url', s3.endpoint, '--db', db, '--workers', '0', '-o', 'json'];
    const listed = await fullstop(['ingest', `s3://trail/org/AWSLogs/${account}`, ...common]);
    expect(JSON.parse(listed.stdout)).toMatchObject({ files: mine.length, files_ingested: mine.length });

    // S3 notifications carry the object's ETag (unquoted), which is the listing's fingerprint too.
    const { ListObjectsV2Command } = await import('@aws-sdk/client-s3');
    const page = await s3.client.send(new ListObjectsV2Command({ Bucket: 'trail', Prefix: `org/AWSLogs/${account}/` }));
    const etags = new Map((page.Contents ?? []).map((o) => [o.Key!, o.ETag!.replaceAll('"', '')]));
    const queue = sqs.createQueue('trail-events-again');
    for (const key of mine) sqs.send(queue, JSON.stringify(notify(`org/${key}`, etags.get(`org/${key}`))));
    const notified = await fullstop(['ingest', `sqs://${queue}`, ...common]);
    expect(notified.code).toBe(0);
    expect(JSON.parse(notified.stdout)).toMatchObject({
      files: mine.length,
      files_ingested: 0,
      files_already_ingested: mine.length,
      violations_new: 0,
    });
    expect(sqs.stored(queue)).toEqual([]);
  });
});
