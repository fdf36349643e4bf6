/**
 * The `enrichment` section of the server config file: the external systems the rules look facts up in. Each
 * system is optional; without it, the rules that need it are off (see `rulesOff`).
 */
import { Type, type Static } from '@sinclair/typebox';

const NonEmpty = (description?: string) => Type.String({ minLength: 1, ...(description ? { description } : {}) });
const HttpUrl = () => Type.String({ pattern: '^https?://\\S+$', description: 'an http(s) URL' });
const regionName = Type.String({ pattern: '^[a-z]{2}(-[a-z]+)+-\\d+$', description: 'an AWS region name' });
// IAM role and session names: letters, digits and +=,.@_- (role names may carry a path).
const roleName = Type.String({ pattern: '^[\\w+=,.@/-]{1,128}$', description: 'an IAM role name' });
const sessionName = Type.String({ pattern: '^[\\w+=,.@-]{2,64}$', description: 'an STS session name' });

export const EnrichmentConfigSchema = Type.Object(
  {
    aws: Type.Optional(
      Type.Object(
        {
          role_name: Type.Optional(roleName),
          session_name: Type.Optional(sessionName),
          external_id: Type.Optional(Type.String({ minLength: 2, maxLength: 1224 })),
          sts_region: Type.Optional(regionName),
          application_tags: Type.Optional(
            Type.Object(
              { id: Type.Optional(NonEmpty()), version: Type.Optional(NonEmpty()) },
              { additionalProperties: false, description: 'instance tags naming the application and its version' },
            ),
          ),
        },
        { additionalProperties: false, description: 'cross-account look-ups through STS AssumeRole' },
      ),
    ),
    application_registry: Type.Optional(
      Type.Object({ url: HttpUrl() }, { additionalProperties: false, description: 'Kio: GET {url}/apps/{id}' }),
    ),
    artifact_registries: Type.Optional(
      Type.Array(
        Type.Object(
          {
            host: Type.String({
              pattern: '^[A-Za-z0-9.-]+(:\\d+)?$',
              description: 'a registry host as it appears in the user data `source`',
            }),
            url: HttpUrl(),
          },
          { additionalProperties: false },
        ),
        { minItems: 1, description: 'Pier One registries, chosen by the host in `source`' },
      ),
    ),
    token: Type.Optional(NonEmpty('bearer token for the registries')),
    token_command: Type.Optional(NonEmpty('command printing a bearer token for the registries')),
    timeout_seconds: Type.Optional(Type.Number({ exclusiveMinimum: 0, maximum: 300 })),
    concurrency: Type.Optional(Type.Integer({ minimum: 1, maximum: 1024 })),
  },
  { additionalProperties: false },
);
export type EnrichmentConfig = Static<typeof EnrichmentConfigSchema>;

/** Checks the schema cannot express; each problem names its key path. */
export function enrichmentConfigProblems(config: EnrichmentConfig | undefined): string[] {
  const problems: string[] = [];
  if (config?.token !== undefined && config.token_command !== undefined)
    problems.push('enrichment.token_command: give either token or token_command, not both');
  const hosts = (config?.artifact_registries ?? []).map((registry) => registry.host.toLowerCase());
  hosts.forEach((host, index) => {
    if (hosts.indexOf(host) !== index)
      problems.push(`enrichment.artifact_registries[${index}].host: '${host}' is listed twice`);
  });
  return problems;
}

export const DEFAULT_ROLE_NAME = 'fullstop';
export const DEFAULT_SESSION_NAME = 'fullstop';
export const DEFAULT_TIMEOUT_SECONDS = 3;
export const DEFAULT_CONCURRENCY = 32;
