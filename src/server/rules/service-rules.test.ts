import { describe, expect, it } from 'vitest';
import { evaluate, event } from '../../../test/ingest/rule-event.js';

describe('LAMBDA_FUNCTION_CREATED_FROM_UNTRUSTED_LOCATION', () => {
  const lambda = (eventName: string, requestParameters: Record<string, unknown>) =>
    event({
      eventSource: 'lambda.amazonaws.com',
      eventName,
      requestParameters,
      responseElements: { functionName: 'f', functionArn: 'arn:f' },
    });

  it('reports code from an untrusted bucket or from no bucket at all', () => {
    expect(evaluate(lambda('CreateFunction20150331', { code: { s3Bucket: 'evil', s3Key: 'k.zip' } }))).toEqual([
      expect.objectContaining({
        type: 'LAMBDA_FUNCTION_CREATED_FROM_UNTRUSTED_LOCATION',
        instanceId: null,
        metaInfo: { function_name: 'f', s3_bucket: 'evil', s3_key: 'k.zip' },
      }),
    ]);
    expect(evaluate(lambda('UpdateFunctionCode20150331v2', { functionName: 'f' }))[0]?.metaInfo).toEqual({
      function_name: 'f',
      s3_bucket: '',
      s3_key: '',
    });
  });

  it('accepts trusted buckets, in code or at the top level', () => {
    const trusted = { lambda_function_created_from_untrusted_location: { trusted_buckets: ['good'] } };
    expect(evaluate(lambda('CreateFunction20150331', { code: { s3Bucket: 'good' } }), trusted)).toEqual([]);
    expect(evaluate(lambda('UpdateFunctionCode20150331v2', { s3Bucket: 'good' }), trusted)).toEqual([]);
    expect(evaluate(lambda('GetFunction20150331v2', {}))).toEqual([]);
  });
});

describe('CLOUDTRAIL_TAMPERING', () => {
  const trail = (eventName: string, requestParameters: Record<string, unknown>) =>
    event({ eventSource: 'cloudtrail.amazonaws.com', eventName, requestParameters });

  it('reports stopped logging and deleted trails', () => {
    expect(evaluate(trail('StopLogging', { name: 't' }))).toEqual([
      expect.objectContaining({
        type: 'CLOUDTRAIL_TAMPERING',
        instanceId: 't',
        metaInfo: { trail: 't', event_name: 'StopLogging', reason: 'logging stopped' },
      }),
    ]);
    expect(evaluate(trail('DeleteTrail', { name: 't' }))).toHaveLength(1);
  });

  it('reports trails narrowed to one region or without global events, not other updates', () => {
    expect(evaluate(trail('UpdateTrail', { name: 't', isMultiRegionTrail: false }))).toHaveLength(1);
    expect(evaluate(trail('UpdateTrail', { name: 't', includeGlobalServiceEvents: false }))).toHaveLength(1);
    expect(evaluate(trail('UpdateTrail', { name: 't', s3BucketName: 'b' }))).toEqual([]);
  });

  it('reports event selectors that stop logging management writes', () => {
    const basic = (selectors: unknown[]) => trail('PutEventSelectors', { trailName: 't', eventSelectors: selectors });
    expect(evaluate(basic([{ readWriteType: 'All', includeManagementEvents: false }]))).toHaveLength(1);
    expect(evaluate(basic([{ readWriteType: 'ReadOnly', includeManagementEvents: true }]))).toHaveLength(1);
    expect(evaluate(basic([{ readWriteType: 'All', includeManagementEvents: true }]))).toEqual([]);
    const advanced = (fieldSelectors: unknown[]) =>
      trail('PutEventSelectors', { trailName: 't', advancedEventSelectors: [{ fieldSelectors }] });
    expect(evaluate(advanced([{ field: 'eventCategory', equals: ['Data'] }]))).toHaveLength(1);
    expect(
      evaluate(
        advanced([
          { field: 'eventCategory', equals: ['Management'] },
          { field: 'readOnly', equals: ['true'] },
        ]),
      ),
    ).toHaveLength(1);
    expect(evaluate(advanced([{ field: 'eventCategory', equals: ['Management'] }]))).toEqual([]);
  });

  it('ignores failed calls and can be disabled', () => {
    expect(
      evaluate(
        event({
          eventSource: 'cloudtrail.amazonaws.com',
          eventName: 'StopLogging',
          errorCode: 'AccessDenied',
          requestParameters: { name: 't' },
        }),
      ),
    ).toEqual([]);
    expect(evaluate(trail('StopLogging', { name: 't' }), { cloudtrail_tampering: { enabled: false } })).toEqual([]);
  });
});
