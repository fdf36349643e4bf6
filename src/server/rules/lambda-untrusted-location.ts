import type { DetectionRule } from './rule.js';
import { asObject, nonBlank } from './event.js';
import { draftFor } from './draft.js';

const TYPE = 'LAMBDA_FUNCTION_CREATED_FROM_UNTRUSTED_LOCATION';

export const lambdaUntrustedLocation: DetectionRule = {
  type: TYPE,
  triggers: { 'lambda.amazonaws.com': ['CreateFunction', 'UpdateFunctionCode'] },
  evaluate(event, config) {
    const request = asObject(event.requestParameters);
    const code = asObject(request?.['code']);
    const bucket = nonBlank(code?.['s3Bucket']) ?? nonBlank(request?.['s3Bucket']);
    if (bucket !== undefined && config.trustedBuckets.has(bucket)) return [];
    return [
      draftFor(event, TYPE, {
        metaInfo: {
          function_name: nonBlank(asObject(event.responseElements)?.['functionName']) ?? '',
          s3_bucket: bucket ?? '',
          s3_key: nonBlank(code?.['s3Key']) ?? nonBlank(request?.['s3Key']) ?? '',
        },
      }),
    ];
  },
};
