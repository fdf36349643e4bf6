/**
 * EC2's query protocol for the look-ups made per launched instance (DescribeImages, DescribeInstances,
 * DescribeInstanceAttribute): a form-encoded POST signed with the SDK's SigV4 signer, sent over one keep-alive
 * undici agent, the XML answer read with fast-xml-parser. The SDK's EC2 client spends about 0.7 ms of CPU per call
 * (its middleware stack, endpoint rules, schema serde); enrichment makes one call per instance, so that alone held
 * ingest near 1,000 RunInstances events per second on a core. STS and IAM (once per account, or rarely) keep the SDK.
 *
 * As the SDK: the endpoint is AWS_ENDPOINT_URL_EC2, else AWS_ENDPOINT_URL, else the region's public endpoint;
 * throttling, 5xx answers and network faults are retried (three attempts in all, with jittered backoff) within the
 * caller's time limit; an error answer throws an error carrying the AWS error code as `name` and `Code` and the
 * status in `$metadata.httpStatusCode`, as the SDK's errors do, so errors read alike whichever made the call.
 */
import { createHash, createHmac } from 'node:crypto';
import { setTimeout as delay } from 'node:timers/promises';
import { SignatureV4 } from '@smithy/signature-v4';
import { XMLParser } from 'fast-xml-parser';
import { Agent, request } from 'undici';
import type { AwsCredentialIdentity } from './aws-sessions.js';

const API_VERSION = '2016-11-15';
const ATTEMPTS = 3;
const THROTTLING = new Set([
  'Throttling',
  'ThrottlingException',
  'RequestLimitExceeded',
  'RequestThrottled',
  'RequestThrottledException',
  'TooManyRequestsException',
  'EC2ThrottledException',
  'SlowDown',
]);

type Bytes = string | ArrayBuffer | ArrayBufferView;
const asBuffer = (data: Bytes) =>
  typeof data === 'string'
    ? data
    : data instanceof ArrayBuffer
      ? Buffer.from(data)
      : Buffer.from(data.buffer, data.byteOffset, data.byteLength);

/** Node's crypto in the shape the signer takes (its `Checksum` interface). */
class Sha256 {
  private readonly hash;
  constructor(secret?: Bytes) {
    this.hash = secret === undefined ? createHash('sha256') : createHmac('sha256', asBuffer(secret));
  }
  update(data: Bytes): void {
    this.hash.update(asBuffer(data));
  }
  async digest(): Promise<Uint8Array> {
    return new Uint8Array(this.hash.digest());
  }
  reset(): void {
    throw new Error('a Sha256 is used once');
  }
}

/** An error answer of EC2, shaped as the SDK's service exceptions. */
export class Ec2ServiceError extends Error {
  readonly Code: string;
  readonly $metadata: { httpStatusCode: number };
  constructor(code: string, message: string, status: number) {
    super(message);
    this.name = code;
    this.Code = code;
    this.$metadata = { httpStatusCode: status };
  }
}

export interface Ec2QueryOptions {
  /** The assumed role's credentials for an account. */
  credentials(account: string): Promise<AwsCredentialIdentity>;
  connections: number;
  env?: Record<string, string | undefined>;
}

export interface Ec2Query {
  /** The answer's root element (e.g. `DescribeImagesResponse`'s content); lists of `item`s are always arrays. */
  call(
    account: string,
    region: string,
    action: string,
    params: Record<string, string>,
    signal: AbortSignal,
  ): Promise<Record<string, unknown>>;
  close(): Promise<void>;
}

const parser = new XMLParser({
  ignoreAttributes: true,
  // Values stay text: an AMI named "1e3" is a name, not a number.
  parseTagValue: false,
  isArray: (name) => name === 'item' || name === 'Error',
});

function endpointOf(region: string, env: Record<string, string | undefined>): URL {
  const configured = env['AWS_ENDPOINT_URL_EC2'] || env['AWS_ENDPOINT_URL'];
  if (configured) return new URL(configured);
  return new URL(`https://ec2.${region}.amazonaws.com${region.startsWith('cn-') ? '.cn' : ''}/`);
}

/**
 * The answer of DescribeInstanceAttribute userData, the one call made for every launched instance, read without
 * the XML parser: `<userData><value>BASE64</value></userData>`, or `<userData/>` without user data. Anything else
 * goes to the parser.
 */
const USER_DATA =
  /<userData>\s*<value>([A-Za-z0-9+/=\s]*)<\/value>\s*<\/userData>|<userData\s*\/>|<userData>\s*<\/userData>/;

function readAnswer(action: string, text: string): Record<string, unknown> | undefined {
  if (action === 'DescribeInstanceAttribute') {
    const match = USER_DATA.exec(text);
    if (match !== null) return { userData: match[1] === undefined ? '' : { value: match[1].replace(/\s+/g, '') } };
  }
  const parsed = parser.parse(text) as Record<string, unknown>;
  return Object.values(parsed).find((value) => typeof value === 'object' && value !== null) as
    Record<string, unknown> | undefined;
}

/** The error of an answer that is not 2xx. */
function errorOf(status: number, body: string): Ec2ServiceError {
  let code = `Http${status}`;
  let message = `EC2 answered HTTP ${status}`;
  try {
    const parsed = parser.parse(body) as {
      Response?: { Errors?: { Error?: Array<{ Code?: string; Message?: string }> } };
    };
    const error = parsed.Response?.Errors?.Error?.[0];
    if (error?.Code) code = String(error.Code);
    if (error?.Message) message = String(error.Message);
  } catch {
    // Not XML (a proxy's page): the status says it all.
  }
  return new Ec2ServiceError(code, message, status);
}

const retryable = (error: unknown) =>
  !(error instanceof Ec2ServiceError) || error.$metadata.httpStatusCode >= 500 || THROTTLING.has(error.Code);

export function createEc2Query(options: Ec2QueryOptions): Ec2Query {
  const env = options.env ?? process.env;
  const agent = new Agent({ connections: options.connections, keepAliveTimeout: 30_000 });
  const signers = new Map<string, { credentials: AwsCredentialIdentity; signer: SignatureV4 }>();

  /** One signer per account, region and credentials: the signer caches its derived keys. */
  async function signerFor(account: string, region: string): Promise<SignatureV4> {
    const credentials = await options.credentials(account);
    const key = `${account}|${region}`;
    const known = signers.get(key);
    if (known !== undefined && known.credentials === credentials) return known.signer;
    const signer = new SignatureV4({ credentials, region, service: 'ec2', sha256: Sha256 });
    signers.set(key, { credentials, signer });
    return signer;
  }

  const endpoints = new Map<string, URL>();

  async function attempt(
    account: string,
    region: string,
    action: string,
    body: string,
    signal: AbortSignal,
  ): Promise<Record<string, unknown>> {
    let url = endpoints.get(region);
    if (url === undefined) endpoints.set(region, (url = endpointOf(region, env)));
    const signer = await signerFor(account, region);
    const signed = await signer.sign({
      method: 'POST',
      protocol: url.protocol,
      hostname: url.hostname,
      ...(url.port ? { port: Number(url.port) } : {}),
      path: url.pathname,
      query: {},
      headers: { host: url.host, 'content-type': 'application/x-www-form-urlencoded; charset=utf-8' },
      body,
    });
    const { statusCode, body: answer } = await request(url, {
      method: 'POST',
      headers: signed.headers,
      body,
      signal,
      dispatcher: agent,
    });
    const text = await answer.text();
    if (statusCode < 200 || statusCode > 299) throw errorOf(statusCode, text);
    const root = readAnswer(action, text);
    if (root === undefined) throw new Ec2ServiceError('MalformedAnswer', 'EC2 answered no XML document', statusCode);
    return root;
  }

  return {
    async call(account, region, action, params, signal) {
      const body = new URLSearchParams({ Action: action, Version: API_VERSION, ...params }).toString();
      for (let n = 1; ; n++) {
        try {
          return await attempt(account, region, action, body, signal);
        } catch (error) {
          if (n >= ATTEMPTS || signal.aborted || !retryable(error)) throw error;
          await delay(50 * 2 ** n * (0.5 + Math.random()), undefined, { signal });
        }
      }
    },
    close: () => agent.close(),
  };
}

/** The `item`s of a list element (absent or empty: none). */
export function items(list: unknown): Array<Record<string, unknown>> {
  const entries = (list as { item?: unknown } | undefined)?.item;
  return Array.isArray(entries) ? (entries as Array<Record<string, unknown>>) : [];
}

/** A text value of the answer, or undefined. */
export function text(value: unknown): string | undefined {
  return typeof value === 'string' ? value : undefined;
}
