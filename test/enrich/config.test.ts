import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { validateConfig } from '../../src/server/config.js';
import { rulesOff } from '../../src/server/rules/rules-off.js';

// The configuration as the issue gives it.
const CONTRACT = `
enrichment:
  aws:
    role_name: fullstop
    session_name: fullstop
    external_id: "a-secret-ish-id"
    sts_region: eu-central-1
    application_tags: { id: application, version: version }
  application_registry:
    url: https://kio.example.org
  artifact_registries:
    - host: pierone.example.org
      url: https://pierone.example.org
  token_command: "zign token -n fullstop"
  timeout_seconds: 3
  concurrency: 32
rules:
  wrong_ami: { name_prefix: "Taupage-", owners: ["999999999999"], approved_ids: [] }
  scm_repository: { hosts: { "github.com": "zalando|zalando-stups" } }
  modified_role_or_service: { templates: "s3://policies/templates/" }
`;

const problems = (config: unknown) => {
  try {
    validateConfig(config, 'x.yaml');
    return [];
  } catch (error) {
    return (error as Error).message
      .split('\n')
      .slice(1)
      .map((line) => line.trim());
  }
};

describe('enrichment and rules config', () => {
  it('accepts the documented configuration, with which every rule runs', () => {
    const config = validateConfig(parse(CONTRACT), 'x.yaml');
    expect(config.enrichment?.aws?.application_tags).toEqual({ id: 'application', version: 'version' });
    expect(rulesOff(config.rules, config.enrichment)).toEqual([]);
  });

  it('names the key path of unknown and mistyped keys', () => {
    expect(problems({ enrichment: { aws: { role: 'x' } } })).toEqual(['enrichment.aws.role: unknown key']);
    expect(problems({ enrichment: { application_registry: { url: 'kio.example.org' } } })).toEqual([
      'enrichment.application_registry.url: expected an http(s) URL',
    ]);
    expect(problems({ enrichment: { artifact_registries: [{ host: 'pierone.example.org' }] } })).toEqual([
      'enrichment.artifact_registries[0].url: expected required property',
      'enrichment.artifact_registries[0].url: expected string',
    ]);
    expect(problems({ enrichment: { aws: { sts_region: 'Frankfurt' } } })).toEqual([
      'enrichment.aws.sts_region: expected an AWS region name',
    ]);
    expect(problems({ enrichment: { concurrency: 0, timeout_seconds: -1 } })).toEqual([
      'enrichment.timeout_seconds: expected number to be greater than 0',
      'enrichment.concurrency: expected integer to be greater or equal to 1',
    ]);
    expect(problems({ rules: { wrong_ami: { owners: ['me'], approved_ids: ['img-1'] } } })).toEqual([
      "rules.wrong_ami.owners[0]: expected string to match '^\\d{12}$'",
      'rules.wrong_ami.approved_ids[0]: expected an AMI id (ami-…)',
    ]);
    expect(problems({ rules: { scm_repository: { hosts: { 'github.com': '(' } } } })).toEqual([
      'rules.scm_repository.hosts.github.com: expected a regular expression',
    ]);
    expect(problems({ rules: { scm_repository: { owners: {} } } })).toEqual([
      'rules.scm_repository.owners: unknown key',
    ]);
  });

  it('refuses both token and token_command, and a registry host listed twice', () => {
    expect(problems({ enrichment: { token: 't', token_command: 'zign token' } })).toEqual([
      'enrichment.token_command: give either token or token_command, not both',
    ]);
    const registries = [
      { host: 'pierone.example.org', url: 'https://a.example.org' },
      { host: 'PierOne.example.org', url: 'https://b.example.org' },
    ];
    expect(problems({ enrichment: { artifact_registries: registries } })).toEqual([
      "enrichment.artifact_registries[1].host: 'pierone.example.org' is listed twice",
    ]);
  });
});
