// An S3 bucket for the replica benchmark: s3rver (an S3-compatible server) on a random loopback port holding the
// generated files under their CloudTrail keys, behind a proxy that holds every request `latencyMs` before passing
// it on, as the round trip to S3 and its time to first byte would (S3 answers a GET in tens of milliseconds).
import { createServer, request } from 'node:http';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import S3rver from 's3rver';
import { CreateBucketCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';

export const BUCKET = 'trail';
export const CREDENTIALS = { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' };

function walk(path) {
  return readdirSync(path, { withFileTypes: true }).flatMap((entry) =>
    entry.isDirectory() ? walk(join(path, entry.name)) : entry.name.startsWith('.') ? [] : [join(path, entry.name)],
  );
}

/**
 * s3rver 3.7 prunes folders more than one level below the prefix when listing with a delimiter, so the CloudTrail
 * layout (always deeper) would list nothing; and its continuation tokens use a cipher OpenSSL 3 refuses, so a listing
 * longer than a page fails. Every listing here is answered whole, in one page, with keys under a delimiter folded
 * into common prefixes as S3 does.
 */
function wholeListings(server) {
  const list = server.store.listObjects.bind(server.store);
  server.store.listObjects = async (bucket, options) => {
    const all = await list(bucket, { ...options, delimiter: '', maxKeys: Number.POSITIVE_INFINITY });
    const delimiter = options.delimiter ?? '';
    if (delimiter === '') return { ...all, isTruncated: false };
    const prefix = options.prefix ?? '';
    const commonPrefixes = new Set();
    const objects = all.objects.filter((object) => {
      const at = object.key.indexOf(delimiter, prefix.length);
      if (at === -1) return true;
      commonPrefixes.add(object.key.slice(0, at + delimiter.length));
      return false;
    });
    return { objects, commonPrefixes: [...commonPrefixes].sort(), isTruncated: false };
  };
}

/** Starts s3rver on `directory` (filled from `data` the first time) and the latency proxy; resolves with its endpoint. */
export async function startS3Source({ data, directory, latencyMs }) {
  const filled = existsSync(join(directory, BUCKET));
  const server = new S3rver({ address: '127.0.0.1', port: 0, silent: true, directory });
  wholeListings(server);
  const { port } = await server.run();
  if (!filled) {
    const client = new S3Client({
      endpoint: `http://127.0.0.1:${port}`,
      region: 'us-east-1',
      forcePathStyle: true,
      credentials: CREDENTIALS,
      requestChecksumCalculation: 'WHEN_REQUIRED',
    });
    await client.send(new CreateBucketCommand({ Bucket: BUCKET }));
    for (const file of walk(data)) {
      const key = relative(data, file).split('\\').join('/');
      await client.send(new PutObjectCommand({ Bucket: BUCKET, Key: key, Body: readFileSync(file) }));
    }
    client.destroy();
  }
  const proxy = createServer((req, res) => {
    setTimeout(() => {
      const upstream = request(
        { host: '127.0.0.1', port, method: req.method, path: req.url, headers: req.headers },
        (answer) => {
          res.writeHead(answer.statusCode ?? 502, answer.headers);
          answer.pipe(res);
        },
      );
      upstream.on('error', () => res.destroy());
      req.pipe(upstream);
    }, latencyMs);
  });
  await new Promise((resolve) => proxy.listen(0, '127.0.0.1', resolve));
  return {
    endpoint: `http://127.0.0.1:${proxy.address().port}`,
    async close() {
      proxy.closeAllConnections();
      await new Promise((resolve) => proxy.close(resolve));
      await server.close();
    },
  };
}
