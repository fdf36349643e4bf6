import { describe, expect, it } from 'vitest';
import type { RoleFacts } from '../enrich/facts.js';
import { evaluate, fixtureEvent, RULES, SYSTEMS } from '../../../test/enrich/rule-facts.js';

const ROLE = 'mint-worker-b17-AppServerRole-W5WX8WewafwO2MEWZ';
const event = fixtureEvent('unapproved-services-and-role--record'); // CreateRole by sfewcsdfs-PowerUser
const admin = fixtureEvent('unapproved-services-and-role--admin-record'); // by Shibboleth-Administrator
const template = { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 's3:GetObject', Resource: '*' }] };
const role = (overrides: Partial<RoleFacts> = {}): RoleFacts => ({
  roleName: ROLE,
  attachedPolicyNames: [],
  inlinePolicyNames: [ROLE],
  mainPolicy: JSON.stringify(template),
  template: JSON.stringify(template, null, 2),
  ...overrides,
});
const check = (facts: RoleFacts | null | undefined, e = event, rules = RULES) =>
  evaluate(e, { instances: {}, ...(facts !== undefined && { role: facts }) }, rules, SYSTEMS);

describe('MODIFIED_ROLE_OR_SERVICE', () => {
  it('accepts a role exactly as its template', () => {
    expect(check(role())).toEqual([]);
  });

  it('reports attached policies, other inline policies and a changed main policy, with both diffs', () => {
    const changed = { ...template, Statement: [{ ...template.Statement[0], Action: 's3:*' }] };
    const drafts = check(
      role({
        attachedPolicyNames: ['AdministratorAccess'],
        inlinePolicyNames: [ROLE, 'extra'],
        mainPolicy: JSON.stringify(changed),
      }),
    );
    expect(drafts).toEqual([
      expect.objectContaining({
        type: 'MODIFIED_ROLE_OR_SERVICE',
        instanceId: null,
        accountId: 'XXXX123XXX',
        region: 'us-east-1',
        eventId: '0eb03aae-2182-11e5-b5f7-727283247c7f',
        username: 'arn:aws:sts::XXXX123XXX:assumed-role/sfewcsdfs-PowerUser/mrandi',
        metaInfo: {
          role_name: ROLE,
          error_messages: [
            'You MUST not attach additional policies to this role!',
            'You MUST not change the inline policies of this role',
            'You MUST not change the main policy document! See diffs for details.',
          ],
          attached_policy_names: ['AdministratorAccess'],
          inline_policy_names: [ROLE, 'extra'],
          expected_inline_policy_names: [ROLE],
          template_to_policy_diff: [{ op: 'replace', path: '/Statement/0/Action', value: 's3:*' }],
          policy_to_template_diff: [{ op: 'replace', path: '/Statement/0/Action', value: 's3:GetObject' }],
        },
      }),
    ]);
  });

  it('compares a role without its main inline policy against {}', () => {
    const [draft] = check(role({ inlinePolicyNames: [], mainPolicy: '{}' }));
    expect(draft?.metaInfo).toMatchObject({
      error_messages: [
        'You MUST not change the inline policies of this role',
        'You MUST not change the main policy document! See diffs for details.',
      ],
      template_to_policy_diff: [
        { op: 'remove', path: '/Statement' },
        { op: 'remove', path: '/Version' },
      ],
    });
  });

  it('says nothing for admin callers, deleted or untemplated roles, unreadable JSON, or without templates', () => {
    const attached = role({ attachedPolicyNames: ['x'] });
    expect(check(attached, admin)).toEqual([]);
    expect(check(null)).toEqual([]);
    expect(check(undefined)).toEqual([]);
    expect(check(role({ attachedPolicyNames: ['x'], template: 'not json' }))).toEqual([]);
    expect(check(attached, event, { ...RULES, modified_role_or_service: {} })).toEqual([]);
    const others = {
      ...RULES,
      modified_role_or_service: { ...RULES.modified_role_or_service, admin_roles: ['sfewcsdfs-PowerUser'] },
    };
    expect(check(attached, event, others)).toEqual([]);
    expect(check(attached, admin, others)).toHaveLength(1);
  });
});
