/**
 * A real S3-compatible HTTP server (s3rver) on a random port with a temporary directory, for source tests.
 * It records every request so tests can assert which listings were made.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import S3rver from 's3rver';
import { CreateBucketCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';

export interface ListRequest {
  bucket: string;
  prefix: string;
  delimiter?: string;
  startAfter?: string;
}

export interface TestS3Server {
  endpoint: string;
  /** A client for seeding; it sends checksums only when required, which s3rver understands. */
  client: S3Client;
  createBucket(name: string): Promise<void>;
  put(bucket: string, key: string, body: string | Buffer): Promise<void>;
  /** Puts `{"Records": records}` gzipped, as CloudTrail delivers. */
  putTrail(bucket: string, key: string, records: object[]): Promise<void>;
  /** ListObjectsV2 requests seen since start or the last clearLog(). */
  listRequests(): ListRequest[];
  /** The keys of GetObject requests seen since start or the last clearLog(), once per request. */
  objectReads(bucket: string): string[];
  clearLog(): void;
  close(): Promise<void>;
}

/** Dummy credentials for the SDK's default provider chain: s3rver accepts any signature from this key. */
export const TEST_CREDENTIALS = { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' };

export async function startS3Server(): Promise<TestS3Server> {
  const directory = await mkdtemp(join(tmpdir(), 'fullstop-s3-'));
  const server = new S3rver({ address: '127.0.0.1', port: 0, silent: true, directory });
  fixDelimiterListing(server);
  const { port } = await server.run();
  const urls: string[] = [];
  const gets: string[] = [];
  server.httpServer?.prependListener('request', (req: { url?: string; method?: string }) => {
    urls.push(req.url ?? '');
    if (req.method === 'GET') gets.push(req.url ?? '');
  });
  const endpoint = `http://127.0.0.1:${port}`;
  const client = new S3Client({
    endpoint,
    region: 'us-east-1',
    forcePathStyle: true,
    credentials: TEST_CREDENTIALS,
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
  });

  return {
    endpoint,
    client,
    async createBucket(name) {
      await client.send(new CreateBucketCommand({ Bucket: name }));
    },
    async put(bucket, key, body) {
      await client.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: body }));
    },
    async putTrail(bucket, key, records) {
      await client.send(
        new PutObjectCommand({ Bucket: bucket, Key: key, Body: gzipSync(JSON.stringify({ Records: records })) }),
      );
    },
    listRequests() {
      return urls.flatMap((raw) => {
        const url = new URL(raw, endpoint);
        if (url.searchParams.get('list-type') !== '2') return [];
        const request: ListRequest = {
          bucket: decodeURIComponent(url.pathname.split('/')[1] ?? ''),
          prefix: url.searchParams.get('prefix') ?? '',
        };
        const delimiter = url.searchParams.get('delimiter');
        const startAfter = url.searchParams.get('start-after');
        if (delimiter !== null) request.delimiter = delimiter;
        if (startAfter !== null) request.startAfter = startAfter;
        return [request];
      });
    },
    objectReads(bucket) {
      return gets.flatMap((raw) => {
        const url = new URL(raw, endpoint);
        const [, name, ...key] = url.pathname.split('/');
        if (url.searchParams.get('list-type') !== null || decodeURIComponent(name ?? '') !== bucket) return [];
        return key.length === 0 ? [] : [decodeURIComponent(key.join('/'))];
      });
    },
    clearLog() {
      urls.length = 0;
      gets.length = 0;
    },
    async close() {
      client.destroy();
      await server.close();
      await rm(directory, { recursive: true, force: true });
    },
  };
}

/**
 * s3rver 3.7 stores keys as nested folders and, with a delimiter, prunes every folder more than one level below
 * the prefix before it sees the objects inside, so `AWSLogs/` with Delimiter '/' returns no common prefixes when
 * the objects sit deeper (always, in the CloudTrail layout). Real S3 returns them. This lists without the
 * delimiter and folds the keys into common prefixes as S3 does. Truncation is not modelled: test listings are small.
 */
function fixDelimiterListing(server: S3rver): void {
  const list = server.store.listObjects.bind(server.store);
  server.store.listObjects = async (bucket, options) => {
    const delimiter = options.delimiter ?? '';
    if (delimiter === '') return list(bucket, options);
    const all = await list(bucket, { ...options, delimiter: '', maxKeys: Number.POSITIVE_INFINITY });
    const prefix = options.prefix ?? '';
    const commonPrefixes = new Set<string>();
    const objects = all.objects.filter((object) => {
      const at = object.key.indexOf(delimiter, prefix.length);
      if (at === -1) return true;
      commonPrefixes.add(object.key.slice(0, at + delimiter.length));
      return false;
    });
    return { objects, commonPrefixes: [...commonPrefixes].sort(), isTruncated: false };
  };
}
