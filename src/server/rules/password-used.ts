import type { DetectionRule } from './rule.js';
import { asObject, nonBlank } from './event.js';
import { draftFor } from './draft.js';

const TYPE = 'PASSWORD_USED';

export const passwordUsed: DetectionRule = {
  type: TYPE,
  triggers: { 'signin.amazonaws.com': ['ConsoleLogin'], 'iam.amazonaws.com': ['CreateLoginProfile'] },
  evaluate(event) {
    if (event.eventName === 'CreateLoginProfile') {
      const userName =
        nonBlank(asObject(event.requestParameters)?.['userName']) ?? nonBlank(event.userIdentity?.userName) ?? '';
      return [draftFor(event, TYPE, { metaInfo: { user_name: userName } })];
    }
    // Federated and SSO sign-ins are AssumedRole/FederatedUser: only an IAM user signs in with a password.
    if (event.userIdentity?.type !== 'IAMUser') return [];
    if (asObject(event.responseElements)?.['ConsoleLogin'] === 'Failure') return [];
    return [draftFor(event, TYPE, { metaInfo: { user_name: nonBlank(event.userIdentity.userName) ?? '' } })];
  },
};
