/**
 * `s3://bucket/prefix`: lists CloudTrail objects with ListObjectsV2, narrowed by the key layout (key-path.ts),
 * and opens each with GetObject. Credentials come from the SDK's default provider chain unless given.
 */
import type { Readable } from 'node:stream';
import {
  GetObjectCommand,
  S3Client,
  paginateListObjectsV2,
  type S3ClientConfig,
  type _Object,
} from '@aws-sdk/client-s3';
import { awsLogsPrefix, folderPrefix, isPastWindow, keepKey, planScan, type ScanRange } from './key-path.js';
import { s3Mark, WHOLE_PREFIX } from './s3-marks.js';
import type { ListingSource, SourceFilter, SourceObject } from './source.js';

export interface S3ClientOptions {
  /** An S3-compatible endpoint (MinIO, s3rver…); path-style addressing is used then. Default: FULLSTOP_S3_ENDPOINT. */
  endpoint?: string;
  /** Default: FULLSTOP_S3_REGION, then the SDK's chain (AWS_REGION, profile); us-east-1 with a custom endpoint. */
  region?: string;
  /** Static credentials or a provider; default: the SDK's default chain (env, profile, instance role). */
  credentials?: S3ClientConfig['credentials'];
  env?: NodeJS.ProcessEnv;
}

export interface S3SourceOptions extends S3ClientOptions {
  url: string;
}

/**
 * Silences the SDK's notice that its releases from 2027 on need Node 22: it is addressed to whoever upgrades the
 * SDK (the lockfile pins it), yet it would print on every `fullstop ingest s3://…` a user runs on Node 20.
 * Set the variable to anything but "true" to see it again.
 */
export function quietSdkNodeVersionNotice(env: NodeJS.ProcessEnv = process.env): void {
  env['AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED'] ??= 'true';
}

/** Builds an S3 client from the source options and the FULLSTOP_S3_* environment. */
export function createS3Client(options: S3ClientOptions): S3Client {
  quietSdkNodeVersionNotice();
  const env = options.env ?? process.env;
  const endpoint = options.endpoint ?? nonEmpty(env['FULLSTOP_S3_ENDPOINT']);
  const region =
    options.region ??
    nonEmpty(env['FULLSTOP_S3_REGION']) ??
    (endpoint ? (nonEmpty(env['AWS_REGION']) ?? 'us-east-1') : undefined);
  if (endpoint !== undefined) assertHttpUrl(endpoint, 'S3 endpoint');
  return new S3Client({
    ...(endpoint !== undefined ? { endpoint, forcePathStyle: true } : {}),
    ...(region !== undefined ? { region } : {}),
    ...(options.credentials ? { credentials: options.credentials } : {}),
    // A bucket in another region than the client's answers with a redirect; follow it instead of failing.
    followRegionRedirects: true,
  });
}

/** Parses `s3://bucket[/prefix]` into its bucket and folder prefix, or throws with the reason. */
export function parseS3Url(url: string): { bucket: string; prefix: string } {
  const match = /^s3:\/\/([^/]*)(?:\/(.*))?$/.exec(url);
  if (!match) throw new Error(`invalid S3 source "${url}": expected s3://bucket[/prefix]`);
  const bucket = match[1] ?? '';
  if (!/^[a-z0-9][a-z0-9.\-_]{1,254}$/i.test(bucket)) {
    throw new Error(`invalid S3 source "${url}": "${bucket}" is not a bucket name`);
  }
  return { bucket, prefix: folderPrefix(match[2] ?? '') };
}

/** An S3 prefix as a listing source; see key-path.ts for how filters narrow the listing. */
export function createS3Source(options: S3SourceOptions): ListingSource {
  const { bucket, prefix } = parseS3Url(options.url);
  const client = createS3Client(options);
  const url = prefix === '' ? `s3://${bucket}` : `s3://${bucket}/${prefix.slice(0, -1)}`;

  async function listDirs(dir: string, signal?: AbortSignal): Promise<string[]> {
    const names: string[] = [];
    if (signal?.aborted) return names;
    for await (const page of paginateListObjectsV2({ client }, { Bucket: bucket, Prefix: dir, Delimiter: '/' })) {
      if (signal?.aborted) break;
      for (const common of page.CommonPrefixes ?? []) {
        if (common.Prefix?.startsWith(dir)) names.push(common.Prefix.slice(dir.length).replace(/\/$/, ''));
      }
    }
    return names;
  }

  /** Lists one range; with `markFrom` (the layout's `AWSLogs/` prefix), each object carries its folder mark. */
  async function* listRange(
    range: ScanRange,
    filter: SourceFilter,
    signal: AbortSignal | undefined,
    markFrom: string | undefined,
  ): AsyncGenerator<SourceObject> {
    const input = {
      Bucket: bucket,
      Prefix: range.prefix,
      ...(range.startAfter ? { StartAfter: range.startAfter } : {}),
    };
    for await (const page of paginateListObjectsV2({ client, pageSize: 1000 }, input)) {
      if (signal?.aborted) return;
      for (const object of page.Contents ?? []) {
        if (signal?.aborted) return;
        if (object.Key === undefined) continue;
        if (isPastWindow(object.Key, range)) return;
        if (!keepKey(object.Key, filter)) continue;
        const listed = s3Object(client, bucket, object);
        if (markFrom !== undefined) listed.mark = s3Mark(object.Key, markFrom);
        yield listed;
      }
    }
  }

  return {
    kind: 'listing',
    url,
    // Queue notifications name the bucket and the whole key: files are recorded the same way, whatever the prefix.
    objectSource: `s3://${bucket}`,
    // An abort ends the listing quietly, as the local source does: the caller knows it aborted.
    async *list(filter, signal, incremental) {
      const marks = incremental?.marks;
      const resume =
        marks !== undefined && !marks.has(WHOLE_PREFIX) ? (region: string) => marks.get(region) : undefined;
      const markFrom = incremental !== undefined ? awsLogsPrefix(prefix) : undefined;
      for await (const range of planScan(prefix, filter, (dir) => listDirs(dir, signal), resume)) {
        if (signal?.aborted) return;
        yield* listRange(range, filter, signal, markFrom);
      }
    },
  };
}

/** A listed or notified S3 object; the fingerprint is its ETag without quotes, as S3 event notifications send it. */
export function s3Object(
  client: S3Client,
  bucket: string,
  object: Pick<_Object, 'Key' | 'ETag' | 'Size'>,
): SourceObject {
  const key = object.Key ?? '';
  return {
    key,
    fingerprint: unquote(object.ETag ?? ''),
    ...(object.Size !== undefined ? { size: object.Size } : {}),
    async open() {
      const response = await client.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
      if (!response.Body) throw new Error(`s3://${bucket}/${key}: GetObject returned no body`);
      // In Node the SDK's body is an http.IncomingMessage, a Readable.
      return response.Body as Readable;
    },
  };
}

/** Strips the double quotes S3 puts around an ETag. */
export function unquote(etag: string): string {
  return etag.replace(/^"(.*)"$/, '$1');
}

/** An environment value, or undefined when it is unset or empty. */
export function nonEmpty(value: string | undefined): string | undefined {
  return value === undefined || value === '' ? undefined : value;
}

function assertHttpUrl(value: string, what: string): void {
  let parsed: URL;
  try {
    parsed = new URL(value);
  } catch {
    throw new Error(`invalid ${what} "${value}": not a URL`);
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') {
    throw new Error(`invalid ${what} "${value}": expected an http:// or https:// URL`);
  }
}
