/**
 * Folder marks for polling an S3 prefix (listing-poller.ts). A key of the CloudTrail layout under the prefix's
 * `AWSLogs/` marks its region folder (`…/CloudTrail/<region>/`) with where the next pass may start listing it: a
 * quarter of an hour before the minute in the key's file name (CloudTrail names a file by the minute it was
 * delivered), so that a file which becomes listable after one with a later name is still found. Any other key marks the whole prefix
 * (WHOLE_PREFIX): its place cannot be found by walking the layout, so every pass then lists everything.
 */
import { parseCloudTrailKey } from './key-path.js';
import type { FolderMark } from './source.js';

export const WHOLE_PREFIX = '';
export const LOOKBACK_MS = 15 * 60_000;

const UNDER_AWS_LOGS = /^((?:o-[a-z0-9]{10,32}\/)?\d{12}\/CloudTrail\/[a-z0-9-]+\/)\d{4}\/\d{2}\/\d{2}\/([^/]+)$/;
const FILE_NAME = /^(\d{12}_CloudTrail_[a-z0-9-]+_)(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})Z_/;

/** The mark of a listed key, given the `…/AWSLogs/` prefix the layout is walked from (`awsLogsPrefix`). */
export function s3Mark(key: string, awsLogs: string): FolderMark {
  const inLayout = key.startsWith(awsLogs) ? UNDER_AWS_LOGS.exec(key.slice(awsLogs.length)) : null;
  if (inLayout === null || parseCloudTrailKey(key) === undefined) return { folder: WHOLE_PREFIX, value: '' };
  const folder = `${awsLogs}${inLayout[1]}`;
  const name = FILE_NAME.exec(inLayout[2]!);
  if (name === null) return { folder, value: key };
  const [, head, year, month, day, hour, minute] = name;
  const from = new Date(Date.UTC(+year!, +month! - 1, +day!, +hour!, +minute!) - LOOKBACK_MS).toISOString();
  // `…/YYYY/MM/DD/<account>_CloudTrail_<region>_YYYYMMDDTHHmm` sorts just before every file of that minute.
  const [date, time] = [from.slice(0, 10), from.slice(11, 16)];
  return {
    folder,
    value: `${folder}${date.replaceAll('-', '/')}/${head}${date.replaceAll('-', '')}T${time.replace(':', '')}`,
  };
}
