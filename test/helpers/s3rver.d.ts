// s3rver ships no types; this declares the part the test helper uses.
declare module 's3rver' {
  import type { Server, AddressInfo } from 'node:net';

  interface S3rverOptions {
    address?: string;
    port?: number;
    silent?: boolean;
    directory: string;
    resetOnClose?: boolean;
    configureBuckets?: { name: string; configs?: (string | Buffer)[] }[];
  }

  interface ListOptions {
    delimiter?: string;
    prefix?: string;
    startAfter?: string;
    maxKeys?: number;
  }

  interface ListResult {
    objects: { key: string }[];
    commonPrefixes: string[];
    isTruncated: boolean;
  }

  export default class S3rver {
    constructor(options: S3rverOptions);
    httpServer?: Server;
    store: { listObjects(bucket: string, options: ListOptions): Promise<ListResult> };
    run(): Promise<AddressInfo>;
    close(): Promise<void>;
  }
}
