/**
 * Cross-account AWS access: every look-up about account X is signed with credentials of the role assumed in X
 * (`arn:aws:iam::X:role/<role_name>`), never with the Fullstop account's own, which only call STS (from the SDK's
 * default credential chain). Credentials are kept until five minutes before they expire; clients are kept per
 * (service, account, region), 50 minutes after their last use, as the original's CachingClientProvider.
 * The SDK's endpoint variables (AWS_ENDPOINT_URL, AWS_ENDPOINT_URL_STS/_EC2/_IAM) apply, so stand-ins work.
 */
import { AssumeRoleCommand, STSClient } from '@aws-sdk/client-sts';
import { EC2Client } from '@aws-sdk/client-ec2';
import { IAMClient } from '@aws-sdk/client-iam';
import { LRUCache } from 'lru-cache';
import { LookupFailedError } from './errors.js';
import { awsRetryable } from './aws-errors.js';

export interface AwsSessionSettings {
  roleName: string;
  sessionName: string;
  externalId?: string | undefined;
  stsRegion: string;
  timeoutMs: number;
}

/** Temporary credentials as the SDK takes them. */
export interface AwsCredentialIdentity {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken?: string;
  expiration?: Date;
}

const REFRESH_BEFORE_EXPIRY_MS = 5 * 60_000;
// The SDK retries throttling and 5xx with backoff; the look-up's timeout bounds the whole.
const MAX_ATTEMPTS = 4;

type Client = EC2Client | IAMClient;

export class AwsSessions {
  private readonly sts: STSClient;
  private readonly credentialCache: LRUCache<string, AwsCredentialIdentity>;
  private readonly clients = new LRUCache<string, Client>({
    max: 500,
    ttl: 50 * 60_000,
    updateAgeOnGet: true,
    dispose: (client) => client.destroy(),
  });

  constructor(
    private readonly settings: AwsSessionSettings,
    sts?: STSClient,
  ) {
    this.sts = sts ?? new STSClient({ region: settings.stsRegion, maxAttempts: MAX_ATTEMPTS });
    this.credentialCache = new LRUCache<string, AwsCredentialIdentity>({
      max: 10_000,
      ttl: 60 * 60_000,
      fetchMethod: async (account, _stale, { options }) => {
        const credentials = await this.assume(account);
        const expires = credentials.expiration?.getTime();
        if (expires !== undefined) options.ttl = Math.max(1_000, expires - Date.now() - REFRESH_BEFORE_EXPIRY_MS);
        return credentials;
      },
    });
  }

  roleArn(account: string): string {
    return `arn:aws:iam::${account}:role/${this.settings.roleName}`;
  }

  private async assume(account: string): Promise<AwsCredentialIdentity> {
    const roleArn = this.roleArn(account);
    const failure = { system: `aws:${account}`, lookup: 'AssumeRole', key: roleArn };
    try {
      const { Credentials: c } = await this.sts.send(
        new AssumeRoleCommand({
          RoleArn: roleArn,
          RoleSessionName: this.settings.sessionName,
          ...(this.settings.externalId === undefined ? {} : { ExternalId: this.settings.externalId }),
        }),
        { abortSignal: AbortSignal.timeout(this.settings.timeoutMs) },
      );
      if (!c?.AccessKeyId || !c.SecretAccessKey)
        throw new LookupFailedError({ ...failure, retryable: true }, 'STS answered without credentials');
      return {
        accessKeyId: c.AccessKeyId,
        secretAccessKey: c.SecretAccessKey,
        ...(c.SessionToken === undefined ? {} : { sessionToken: c.SessionToken }),
        ...(c.Expiration === undefined ? {} : { expiration: c.Expiration }),
      };
    } catch (error) {
      if (error instanceof LookupFailedError) throw error;
      const text = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
      throw new LookupFailedError({ ...failure, retryable: awsRetryable(error) }, text, { cause: error });
    }
  }

  /** The assumed role's credentials for an account, shared by concurrent callers. */
  async credentials(account: string): Promise<AwsCredentialIdentity> {
    return (await this.credentialCache.fetch(account))!;
  }

  private client<T extends Client>(service: string, account: string, region: string, create: () => T): T {
    const key = `${service}|${account}|${region}`;
    let client = this.clients.get(key) as T | undefined;
    if (client === undefined) {
      client = create();
      this.clients.set(key, client);
    }
    return client;
  }

  private options(account: string, region: string) {
    return { region, maxAttempts: MAX_ATTEMPTS, credentials: () => this.credentials(account) };
  }

  ec2(account: string, region: string): EC2Client {
    return this.client('ec2', account, region, () => new EC2Client(this.options(account, region)));
  }

  iam(account: string, region: string): IAMClient {
    return this.client('iam', account, region, () => new IAMClient(this.options(account, region)));
  }

  destroy(): void {
    this.clients.clear();
    this.credentialCache.clear();
    this.sts.destroy();
  }
}
