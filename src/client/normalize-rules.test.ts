import { describe, expect, it } from 'vitest';
import { InvalidResponseError } from './errors.js';
import { toCountsByAccountAndType, toCountsByAppVersionAndType, toWhitelistingRule } from './normalize-rules.js';

describe('reading rules and counts', () => {
  it('reads a rule with nulls, epoch-millis dates and missing fields', () => {
    expect(
      toWhitelistingRule({
        id: 3,
        reason: 'r',
        expiry_date: 253370764800000,
        created: 0,
        violation_type_entity_id: 'X',
      }),
    ).toEqual({
      id: 3,
      account_id: null,
      region: null,
      application_id: null,
      application_version: null,
      image_name: null,
      image_owner: null,
      reason: 'r',
      expiry_date: '9999-01-01T00:00:00.000Z',
      violation_type_entity_id: 'X',
      meta_info_json_path: null,
      created: '1970-01-01T00:00:00.000Z',
      created_by: '',
      last_modified: null,
      last_modified_by: null,
      version: 0,
    });
  });

  it.each([[{}], [{ id: '3' }], [null], [[]]])('refuses a rule without a numeric id: %j', (value) => {
    expect(() => toWhitelistingRule(value)).toThrow(InvalidResponseError);
  });

  it('reads counts and refuses a count without a quantity', () => {
    expect(toCountsByAccountAndType([{ account: '1', type: 'T', quantity: 2 }])).toEqual([
      { account: '1', type: 'T', quantity: 2 },
    ]);
    expect(toCountsByAppVersionAndType([{ type: 'T', quantity: 1 }])).toEqual([
      { application: null, version: null, type: 'T', quantity: 1 },
    ]);
    expect(() => toCountsByAccountAndType([{ account: '1', type: 'T' }])).toThrow('without a numeric quantity');
    expect(() => toCountsByAccountAndType({ content: [] })).toThrow('not a list of objects');
  });
});
