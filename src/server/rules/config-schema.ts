/** The `rules` section of the server config file: enables, disables and parameterises each rule. */
import { FormatRegistry, Type, type Static, type TProperties } from '@sinclair/typebox';

// Owner patterns are regular expressions; a broken one is a config error at start, not a crash at the first event.
FormatRegistry.Set('regex', (value) => {
  try {
    new RegExp(value);
    return true;
  } catch {
    return false;
  }
});

const enabled = Type.Optional(Type.Boolean({ description: 'run this rule (default true)' }));

function ruleSection<T extends TProperties>(description: string, extra: T = {} as T) {
  return Type.Optional(Type.Object({ enabled, ...extra }, { additionalProperties: false, description }));
}

const regionName = Type.String({ pattern: '^[a-z]{2}(-[a-z]+)+-\\d+$' });
const accountId = Type.String({ pattern: '^\\d{12}$' });
const port = Type.Integer({ minimum: 0, maximum: 65535 });
const amiId = Type.String({ pattern: '^ami-[0-9a-f]+$', description: 'an AMI id (ami-…)' });
const scmHost = Type.String({ pattern: '^[a-z0-9.-]+$', description: 'a lower-case host name' });

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
    wrong_ami: ruleSection('EC2 instances not launched from a Taupage AMI; also defines Taupage AMIs for all rules', {
      name_prefix: Type.Optional(
        Type.String({ minLength: 1, description: 'Taupage AMI name prefix; default "Taupage-"' }),
      ),
      owners: Type.Optional(
        Type.Array(accountId, { description: 'accounts owning Taupage AMIs; the user-data rules are off without it' }),
      ),
      approved_ids: Type.Optional(Type.Array(amiId, { description: 'other AMIs that are not reported' })),
    }),
    missing_user_data: ruleSection('Taupage instances without Taupage user data'),
    missing_application_id_in_user_data: ruleSection('Taupage user data without application_id'),
    missing_source_in_user_data: ruleSection('Taupage user data without source'),
    ec2_with_a_snapshot_image: ruleSection('instances running a -SNAPSHOT deployment artifact'),
    application_not_present_in_kio: ruleSection('instances of applications unknown to the application registry'),
    image_in_pierone_not_found: ruleSection('Docker images not found in their artifact registry'),
    scm_source_json_missing: ruleSection('Docker images without scm-source'),
    scm_url_is_missing_in_scm_source_json: ruleSection('scm-source without url'),
    artifact_built_from_dirty_repository: ruleSection('Docker images built from a repository with local changes'),
    scm_repository: ruleSection('the three checks below, against the allowed repository hosts and owners', {
      hosts: Type.Optional(
        Type.Record(scmHost, Type.String({ format: 'regex', description: 'a regular expression' }), {
          description: 'repository host → regular expression the owner must fully match',
        }),
      ),
    }),
    illegal_scm_repository: ruleSection('artifacts built from a repository of an unknown host or owner'),
    scm_url_is_missing_in_kio: ruleSection('applications without scm_url in the application registry'),
    scm_url_not_match_with_kio: ruleSection("artifacts built from another repository than the application's"),
    modified_role_or_service: ruleSection('roles with a policy template changed against their template', {
      templates: Type.Optional(
        Type.String({
          pattern: '^(s3://[^/]+/.*|file://.+|[^:]+)$',
          description: 'a folder or s3://bucket/prefix/ holding <role name>.json templates',
        }),
      ),
      admin_roles: Type.Optional(
        Type.Array(Type.String({ minLength: 1 }), {
          description:
            'callers (session issuer) not checked; default Shibboleth-Administrator, OrganizationAccountAccessRole',
        }),
      ),
    }),
  },
  { additionalProperties: false },
);
export type RulesConfig = Static<typeof RulesConfigSchema>;
