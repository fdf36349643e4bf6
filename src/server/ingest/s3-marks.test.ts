import { describe, expect, it } from 'vitest';
import { s3Mark, WHOLE_PREFIX } from './s3-marks.js';

const REGION = 'logs/AWSLogs/123456789012/CloudTrail/eu-west-1/';

describe('s3Mark', () => {
  it('resumes a region a quarter of an hour before a delivery file, across midnight and new year', () => {
    expect(
      s3Mark(`${REGION}2024/05/01/123456789012_CloudTrail_eu-west-1_20240501T1230Z_ab.json.gz`, 'logs/AWSLogs/'),
    ).toEqual({ folder: REGION, value: `${REGION}2024/05/01/123456789012_CloudTrail_eu-west-1_20240501T1215` });
    expect(
      s3Mark(`${REGION}2025/01/01/123456789012_CloudTrail_eu-west-1_20250101T0010Z_ab.json.gz`, 'logs/AWSLogs/'),
    ).toEqual({ folder: REGION, value: `${REGION}2024/12/31/123456789012_CloudTrail_eu-west-1_20241231T2355` });
  });

  it('resumes right after a key of the layout whose name has no delivery time', () => {
    const key = `${REGION}2024/05/01/exported.json`;
    expect(s3Mark(key, 'logs/AWSLogs/')).toEqual({ folder: REGION, value: key });
  });

  it('marks the whole prefix for a key that walking the layout from its AWSLogs/ would not reach', () => {
    const whole = { folder: WHOLE_PREFIX, value: '' };
    expect(s3Mark('logs/readme.json', 'logs/AWSLogs/')).toEqual(whole);
    expect(s3Mark(`other/AWSLogs/123456789012/CloudTrail/eu-west-1/2024/05/01/f.json.gz`, 'logs/AWSLogs/')).toEqual(
      whole,
    );
    expect(s3Mark(`${REGION}2024/02/30/f.json.gz`, 'logs/AWSLogs/')).toEqual(whole);
  });
});
