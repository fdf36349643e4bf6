/** The `rules` section of the server config file: enables, disables and parameterises each rule. */
import { Type, type Static, type TProperties } from '@sinclair/typebox';

const enabled = Type.Optional(Type.Boolean({ description: 'run this rule (default true)' }));

function ruleSection<T extends TProperties>(description: string, extra: T = {} as T) {
  return Type.Optional(Type.Object({ enabled, ...extra }, { additionalProperties: false, description }));
}

const regionName = Type.String({ pattern: '^[a-z]{2}(-[a-z]+)+-\\d+$' });
const accountId = Type.String({ pattern: '^\\d{12}$' });
const port = Type.Integer({ minimum: 0, maximum: 65535 });

export const RulesConfigSchema = Type.Object(
  {
    wrong_region: ruleSection('EC2 instances or Lambda functions created outside the allowed regions', {
      allowed_regions: Type.Optional(
        Type.Array(regionName, { minItems: 1, description: 'default eu-central-1, eu-west-1' }),
      ),
    }),
    ec2_with_keypair: ruleSection('EC2 instances launched with an SSH key pair'),
    lambda_function_created_from_untrusted_location: ruleSection(
      'Lambda code deployed from a bucket outside trusted_buckets',
      {
        trusted_buckets: Type.Optional(
          Type.Array(Type.String({ minLength: 1 }), { description: 'default none: every deployment is reported' }),
        ),
      },
    ),
    unsecured_root_user: ruleSection('root console sign-in without MFA, root access key created'),
    password_used: ruleSection('IAM user console sign-in with a password, login profile created'),
    cross_account_role: ruleSection('roles trusting principals of other accounts', {
      trusted_accounts: Type.Optional(
        Type.Array(accountId, { description: 'accounts a role may trust besides its own; default none' }),
      ),
    }),
    unsecured_public_endpoint: ruleSection(
      'security groups opened to the internet, publicly accessible RDS instances',
      {
        allowed_ports: Type.Optional(
          Type.Array(port, { description: 'ports that may be open to the internet; default 80, 443' }),
        ),
      },
    ),
    cloudtrail_tampering: ruleSection('CloudTrail logging stopped, trails deleted or narrowed'),
  },
  { additionalProperties: false },
);
export type RulesConfig = Static<typeof RulesConfigSchema>;
