import type { CloudTrailEvent } from '../../src/server/rules/event.js';
import { resolveRulesConfig } from '../../src/server/rules/config.js';
import type { RulesConfig } from '../../src/server/rules/config-schema.js';
import { createEvaluator } from '../../src/server/rules/index.js';

/** A minimal successful CloudTrail record, for rule tests. */
export function event(
  fields: Partial<CloudTrailEvent> & Pick<CloudTrailEvent, 'eventSource' | 'eventName'>,
): CloudTrailEvent {
  return {
    eventID: '11111111-2222-3333-4444-555555555555',
    awsRegion: 'eu-central-1',
    recipientAccountId: '123456789012',
    userIdentity: {
      type: 'IAMUser',
      arn: 'arn:aws:iam::123456789012:user/alice',
      accountId: '123456789012',
      userName: 'alice',
    },
    ...fields,
  };
}

/** Runs the enabled rules, as ingest does, and returns the drafts' types and instance ids. */
export function evaluate(record: CloudTrailEvent, config?: RulesConfig) {
  return createEvaluator(resolveRulesConfig(config))(record);
}
