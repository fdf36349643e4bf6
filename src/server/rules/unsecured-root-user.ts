import type { DetectionRule } from './rule.js';
import type { CloudTrailEvent } from './event.js';
import { accountIdOf, asObject, nonBlank } from './event.js';
import { draftFor } from './draft.js';

const TYPE = 'UNSECURED_ROOT_USER';

function rootMeta(event: CloudTrailEvent) {
  return {
    account_id: accountIdOf(event) ?? '',
    user: '<root_account>',
    arn: nonBlank(event.userIdentity?.arn) ?? '',
    event: event.eventName,
  };
}

export const unsecuredRootUser: DetectionRule = {
  type: TYPE,
  triggers: { 'signin.amazonaws.com': ['ConsoleLogin'], 'iam.amazonaws.com': ['CreateAccessKey'] },
  evaluate(event) {
    if (event.userIdentity?.type !== 'Root') return [];
    if (event.eventName === 'ConsoleLogin') {
      if (asObject(event.responseElements)?.['ConsoleLogin'] === 'Failure') return [];
      if (asObject(event.additionalEventData)?.['MFAUsed'] === 'Yes') return [];
      return [draftFor(event, TYPE, { metaInfo: { ...rootMeta(event), is_mfa_active: 'false' } })];
    }
    // Root creating a key for an IAM user names the user; without a name it created a root access key.
    if (nonBlank(asObject(event.requestParameters)?.['userName']) !== undefined) return [];
    const accessKeyId = nonBlank(asObject(asObject(event.responseElements)?.['accessKey'])?.['accessKeyId']);
    return [
      draftFor(event, TYPE, {
        instanceId: accessKeyId ?? null,
        metaInfo: { ...rootMeta(event), access_key_id: accessKeyId ?? '' },
      }),
    ];
  },
};
