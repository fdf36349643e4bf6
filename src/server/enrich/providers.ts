/**
 * The look-up side of enrichment, built once from the `enrichment` section: one provider per configured system,
 * each behind a cache, shared in-flight calls, bounded concurrency, a circuit breaker and a timeout. A system
 * that is not configured has no provider, and the rules needing it are off (the same config decides both).
 */
import { S3Client } from '@aws-sdk/client-s3';
import type { STSClient } from '@aws-sdk/client-sts';
import pLimit from 'p-limit';
import type { ResolvedRulesConfig } from '../rules/config.js';
import { AwsSessions } from './aws-sessions.js';
import { Breakers, type BreakerOptions } from './breakers.js';
import type { LookupContext } from './cached-lookup.js';
import {
  DEFAULT_CONCURRENCY,
  DEFAULT_ROLE_NAME,
  DEFAULT_SESSION_NAME,
  DEFAULT_TIMEOUT_SECONDS,
  type EnrichmentConfig,
} from './config-schema.js';
import { ec2Lookups, type Ec2Lookups } from './ec2.js';
import { createEc2Query } from './ec2-query.js';
import { createJsonClient, type JsonClient } from './http-json.js';
import { iamLookups, type IamLookups } from './iam.js';
import { kioLookups, type KioLookups } from './kio.js';
import { pieroneLookups, type PieroneLookups } from './pierone.js';
import { policyTemplates, type PolicyTemplates } from './policy-templates.js';
import { tokenSource } from './token.js';
import { quietSdkNodeVersionNotice } from '../ingest/s3.js';

export interface Providers {
  /** The rules configuration the look-ups serve (which rules run, which AMIs are Taupage AMIs). */
  readonly config: ResolvedRulesConfig;
  /** Instance tags naming the application, when configured. */
  readonly applicationTags: { id?: string; version?: string } | undefined;
  readonly ec2?: Ec2Lookups;
  readonly iam?: IamLookups;
  readonly kio?: KioLookups;
  readonly pierone?: PieroneLookups;
  readonly templates?: PolicyTemplates;
  readonly breakers: Breakers;
  close(): Promise<void>;
}

export interface ProviderOptions {
  /** Where the STS and S3 regions fall back to AWS_REGION / AWS_DEFAULT_REGION (default process.env). */
  env?: Record<string, string | undefined>;
  breakers?: BreakerOptions;
  /** For tests: the STS client of the Fullstop account, and the S3 client reading the policy templates. */
  sts?: STSClient;
  s3?: () => S3Client;
  /** For tests: the clock the caches expire by. */
  clock?: { now(): number };
}

export function createProviders(
  enrichment: EnrichmentConfig | undefined,
  config: ResolvedRulesConfig,
  options: ProviderOptions = {},
): Providers {
  const settings = enrichment ?? {};
  const env = options.env ?? process.env;
  quietSdkNodeVersionNotice();
  const timeoutMs = (settings.timeout_seconds ?? DEFAULT_TIMEOUT_SECONDS) * 1000;
  const concurrency = settings.concurrency ?? DEFAULT_CONCURRENCY;
  const breakers = new Breakers(options.breakers);
  const context = (): LookupContext => ({ timeoutMs, limit: pLimit(concurrency), breakers, clock: options.clock });
  const region = settings.aws?.sts_region || env['AWS_REGION'] || env['AWS_DEFAULT_REGION'] || 'us-east-1';

  const aws = settings.aws;
  const sessions =
    aws === undefined
      ? undefined
      : new AwsSessions(
          {
            roleName: aws.role_name ?? DEFAULT_ROLE_NAME,
            sessionName: aws.session_name ?? DEFAULT_SESSION_NAME,
            externalId: aws.external_id,
            stsRegion: region,
            timeoutMs,
          },
          options.sts,
        );
  const awsContext = context();
  const ec2 =
    sessions &&
    createEc2Query({ credentials: (account) => sessions.credentials(account), connections: concurrency, env });

  const registries = settings.artifact_registries ?? [];
  const http: JsonClient | undefined =
    settings.application_registry !== undefined || registries.length > 0
      ? createJsonClient({ connections: concurrency, token: tokenSource(settings) })
      : undefined;

  const templates =
    config.roleTemplates === undefined
      ? undefined
      : policyTemplates(
          context(),
          config.roleTemplates,
          options.s3 ?? (() => new S3Client({ region, followRegionRedirects: true })),
        );

  return {
    config,
    applicationTags: aws?.application_tags,
    ...(sessions && ec2 && { ec2: ec2Lookups(awsContext, ec2), iam: iamLookups(awsContext, sessions) }),
    ...(http &&
      settings.application_registry && { kio: kioLookups(context(), http, settings.application_registry.url) }),
    ...(http && registries.length > 0 && { pierone: pieroneLookups(context(), http, registries) }),
    ...(templates && { templates }),
    breakers,
    async close() {
      breakers.shutdown();
      sessions?.destroy();
      await Promise.all([http?.close(), ec2?.close()]);
    },
  };
}
