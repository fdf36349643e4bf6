/**
 * Policy templates of the roles MODIFIED_ROLE_OR_SERVICE guards: `<role name>.json` in a folder or under an S3
 * prefix (read with the Fullstop account's own credentials). The names are listed again every hour, a template
 * is kept a minute, as the original's S3PolicyTemplatesProvider; an empty listing is not kept.
 */
import { readdir, readFile } from 'node:fs/promises';
import { basename, extname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { GetObjectCommand, ListObjectsV2Command, S3Client } from '@aws-sdk/client-s3';
import { awsRetryable, errorCode } from './aws-errors.js';
import { cachedLookup, type LookupContext } from './cached-lookup.js';

export interface PolicyTemplates {
  /** Role names that have a template. */
  names(): Promise<ReadonlySet<string>>;
  /** The template's JSON text, or null when it is gone. */
  template(roleName: string): Promise<string | null>;
}

interface TemplateStore {
  list(signal: AbortSignal): Promise<string[]>;
  read(name: string, signal: AbortSignal): Promise<string | null>;
  retryable(error: unknown): boolean;
}

const templateName = (file: string) => (extname(file) === '.json' ? basename(file, '.json') : undefined);

function folderStore(folder: string): TemplateStore {
  return {
    async list() {
      const entries = await readdir(folder, { withFileTypes: true });
      return entries.flatMap((entry) => (entry.isFile() ? [templateName(entry.name) ?? []].flat() : []));
    },
    async read(name) {
      try {
        return await readFile(join(folder, `${name}.json`), 'utf8');
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
        throw error;
      }
    },
    // A missing or unreadable folder is a setting to fix, not a passing fault.
    retryable: (error) => !['ENOENT', 'ENOTDIR', 'EACCES'].includes((error as NodeJS.ErrnoException).code ?? ''),
  };
}

function s3Store(s3: S3Client, bucket: string, prefix: string): TemplateStore {
  return {
    async list(abortSignal) {
      const names: string[] = [];
      let ContinuationToken: string | undefined;
      do {
        const page = await s3.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: prefix, ContinuationToken }), {
          abortSignal,
        });
        for (const object of page.Contents ?? []) {
          const name = object.Key === undefined ? undefined : templateName(object.Key);
          if (name !== undefined) names.push(name);
        }
        ContinuationToken = page.IsTruncated ? page.NextContinuationToken : undefined;
      } while (ContinuationToken !== undefined);
      return names;
    },
    async read(name, abortSignal) {
      try {
        const object = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: `${prefix}${name}.json` }), {
          abortSignal,
        });
        return (await object.Body?.transformToString('utf8')) ?? null;
      } catch (error) {
        if (errorCode(error) === 'NoSuchKey') return null;
        throw error;
      }
    },
    retryable: awsRetryable,
  };
}

/** `s3://bucket/prefix/`, `file:///folder` or a folder path. */
export function policyTemplates(context: LookupContext, location: string, s3?: () => S3Client): PolicyTemplates {
  const s3Location = /^s3:\/\/([^/]+)\/?(.*)$/.exec(location);
  const store = s3Location
    ? s3Store(
        (s3 ?? (() => new S3Client({ followRegionRedirects: true })))(),
        s3Location[1]!,
        withSlash(s3Location[2]!),
      )
    : folderStore(location.startsWith('file:') ? fileURLToPath(location) : location);
  const common = { system: () => 'templates', retryable: store.retryable };
  const names = cachedLookup<string, string[]>(context, {
    ...common,
    lookup: `list ${location}`,
    key: () => 'names',
    ttlMs: 60 * 60_000,
    fetch: (_, signal) => store.list(signal),
  });
  const templates = cachedLookup<string, string>(context, {
    ...common,
    lookup: `read ${location}`,
    key: (name) => name,
    ttlMs: 60_000,
    fetch: (name, signal) => store.read(name, signal),
  });
  return {
    async names() {
      const listed = (await names.get('names')) ?? [];
      if (listed.length === 0) names.clear();
      return new Set(listed);
    },
    template: (roleName) => templates.get(roleName),
  };
}

const withSlash = (prefix: string) => (prefix === '' || prefix.endsWith('/') ? prefix : `${prefix}/`);
