/**
 * The CloudTrail delivery layout `[prefix/]AWSLogs/[<org-id>/]<account>/CloudTrail/<region>/YYYY/MM/DD/<file>`:
 * parsing a key, deciding which keys a SourceFilter keeps, and planning which prefixes to list so a scan
 * touches only the accounts, regions and days asked for. Pure: listing is injected, so the S3 and the
 * local-folder sources share it. Keys and prefixes are always `/`-separated.
 *
 * Decisions:
 * - A key outside the layout (no `AWSLogs/…/CloudTrail/…/YYYY/MM/DD/` path) is kept when the filter is empty and
 *   dropped as soon as any filter is set: nothing proves it matches, so a filtered scan never reads it.
 * - Digest (`CloudTrail-Digest/`) and Insights (`CloudTrail-Insight/`) files are always dropped: they hold
 *   hashes and anomaly summaries, not API calls, and no rule reads them. So are folder markers (`…/`).
 * - The key's date is the delivery day, not the event time. `since` keeps days from the day of `since` on
 *   (an event is never delivered before it happens); `until` keeps one extra day after the day of `until`,
 *   because events from late on that day are delivered after midnight. Exact event times are the reader's job.
 */
import type { SourceFilter } from './source.js';

export interface CloudTrailKey {
  orgId?: string;
  account: string;
  region: string;
  /** Delivery day, `YYYY-MM-DD`. */
  date: string;
}

/** A prefix to list, and where in it to start: keys come back in ascending order. */
export interface ScanRange {
  prefix: string;
  /** List only keys after this one (S3 `StartAfter`). */
  startAfter?: string;
  /** Set when the range is one region's day folders: the scan may stop at the first key past this day. */
  lastDay?: string;
}

/** Names of the sub-folders directly under a `/`-terminated prefix. */
export type ListDirs = (prefix: string) => Promise<string[]>;

const KEY =
  /(?:^|\/)AWSLogs\/(?:(o-[a-z0-9]{10,32})\/)?(\d{12})\/CloudTrail\/([a-z0-9-]+)\/(\d{4})\/(\d{2})\/(\d{2})\/[^/]+$/;
const NOT_LOGS = /(?:^|\/)AWSLogs\/(?:o-[a-z0-9]{10,32}\/)?\d{12}\/CloudTrail-(?:Digest|Insight)\//;
const ORG = /^o-[a-z0-9]{10,32}$/;
const ACCOUNT = /^\d{12}$/;
const DAY_MS = 86_400_000;

/** Parses a CloudTrail log key; undefined when the key is not in the delivery layout. */
export function parseCloudTrailKey(key: string): CloudTrailKey | undefined {
  const m = KEY.exec(key);
  if (!m) return undefined;
  const [, orgId, account = '', region = '', year, month, day] = m;
  const date = `${year}-${month}-${day}`;
  const time = Date.parse(`${date}T00:00:00Z`);
  // Date.parse rolls 2024-02-30 over to March: a day that does not round-trip is not a delivery day.
  if (Number.isNaN(time) || isoDay(time) !== date) return undefined;
  return orgId === undefined ? { account, region, date } : { orgId, account, region, date };
}

/** True when the filter narrows anything. Empty lists count as "no filter". */
export function hasFilter(filter: SourceFilter): boolean {
  return Boolean(filter.accounts?.length || filter.regions?.length || filter.since || filter.until);
}

/** The first and last delivery day (`YYYY-MM-DD`) a filter keeps, with the one-day slack after `until`. */
export function dayWindow(filter: SourceFilter): { firstDay?: string; lastDay?: string } {
  return {
    ...(filter.since ? { firstDay: isoDay(filter.since.getTime()) } : {}),
    ...(filter.until ? { lastDay: isoDay(filter.until.getTime() + DAY_MS) } : {}),
  };
}

/** Whether a listed key should be read under this filter (see the decisions at the top of this file). */
export function keepKey(key: string, filter: SourceFilter): boolean {
  if (key.endsWith('/') || NOT_LOGS.test(key)) return false;
  if (!hasFilter(filter)) return true;
  const parts = parseCloudTrailKey(key);
  if (!parts) return !hasFilter(filter);
  if (filter.accounts?.length && !filter.accounts.includes(parts.account)) return false;
  if (filter.regions?.length && !filter.regions.includes(parts.region)) return false;
  const { firstDay, lastDay } = dayWindow(filter);
  if (firstDay !== undefined && parts.date < firstDay) return false;
  if (lastDay !== undefined && parts.date > lastDay) return false;
  return true;
}

/** True when a key lies after the filter's last day, so an ascending scan of one region can stop. */
export function isPastWindow(key: string, range: ScanRange): boolean {
  if (range.lastDay === undefined) return false;
  const parts = parseCloudTrailKey(key);
  return parts !== undefined && parts.date > range.lastDay;
}

/** Turns a user-given prefix into a folder prefix: no leading `/`, a trailing `/` unless empty. */
export function folderPrefix(prefix: string): string {
  const trimmed = prefix.replace(/^\/+/, '');
  return trimmed === '' || trimmed.endsWith('/') ? trimmed : `${trimmed}/`;
}

/** Where the layout starts under a folder prefix: the prefix's own `…/AWSLogs/` if it points into the layout, else `<prefix>AWSLogs/`. */
export function awsLogsPrefix(root: string): string {
  const at = root.lastIndexOf('AWSLogs/');
  const inLayout = at === 0 || (at > 0 && root[at - 1] === '/');
  return inLayout ? root.slice(0, at + 'AWSLogs/'.length) : `${root}AWSLogs/`;
}

/** Where to resume listing a region folder (`…/CloudTrail/<region>/`): the key to start after, if known. */
export type Resume = (regionPrefix: string) => string | undefined;

/**
 * Plans the ranges to list under `base` for a filter. Without a filter: `base` whole. With one: only the
 * layout's folders, discovering organisations, accounts and regions with `listDirs` where the filter does not
 * name them, and starting each region's listing at the `since` day. A `base` that already points into the
 * layout (`…/AWSLogs/o-…/`, `…/AWSLogs/<account>/CloudTrail/`) is narrowed from there. With `resume` (a polling
 * listing), the layout is walked even without a filter, and each region starts after its resume key when later.
 */
export async function* planScan(
  base: string,
  filter: SourceFilter,
  listDirs: ListDirs,
  resume?: Resume,
): AsyncGenerator<ScanRange> {
  const root = folderPrefix(base);
  if (!hasFilter(filter) && resume === undefined) {
    yield { prefix: root };
    return;
  }
  const awsLogs = awsLogsPrefix(root);
  const given = root.startsWith(awsLogs)
    ? root
        .slice(awsLogs.length)
        .split('/')
        .filter((s) => s !== '')
    : [];
  yield* new Planner(filter, listDirs, root, resume).fromAwsLogs(awsLogs, given);
}

/** The later of two optional StartAfter keys. */
function later(a: string | undefined, b: string | undefined): string | undefined {
  return a === undefined ? b : b === undefined || a > b ? a : b;
}

class Planner {
  constructor(
    private readonly filter: SourceFilter,
    private readonly listDirs: ListDirs,
    private readonly root: string,
    private readonly resume: Resume | undefined,
  ) {}

  async *fromAwsLogs(prefix: string, given: string[]): AsyncGenerator<ScanRange> {
    const [first, ...rest] = given;
    for (const child of first !== undefined ? [first] : await this.listDirs(prefix)) {
      if (ORG.test(child)) yield* this.fromOrg(`${prefix}${child}/`, rest);
      else if (ACCOUNT.test(child)) yield* this.fromAccount(`${prefix}${child}/`, child, rest);
    }
  }

  private async *fromOrg(prefix: string, given: string[]): AsyncGenerator<ScanRange> {
    const [first, ...rest] = given;
    for (const child of first !== undefined ? [first] : await this.listDirs(prefix)) {
      if (ACCOUNT.test(child)) yield* this.fromAccount(`${prefix}${child}/`, child, rest);
    }
  }

  private async *fromAccount(prefix: string, account: string, given: string[]): AsyncGenerator<ScanRange> {
    if (this.filter.accounts?.length && !this.filter.accounts.includes(account)) return;
    const [first, ...rest] = given;
    if (first !== undefined && first !== 'CloudTrail') return;
    yield* this.fromService(`${prefix}CloudTrail/`, rest);
  }

  private async *fromService(prefix: string, given: string[]): AsyncGenerator<ScanRange> {
    const { firstDay, lastDay } = dayWindow(this.filter);
    const [first, ...rest] = given;
    if (rest.length > 0) {
      // The base names a folder inside one region's days: list it as given; keepKey still filters each key.
      const startAfter = this.resume?.(`${prefix}${first}/`);
      yield { prefix: this.root, ...(startAfter !== undefined ? { startAfter } : {}) };
      return;
    }
    const dated = firstDay !== undefined || lastDay !== undefined;
    let regions: readonly string[] | undefined =
      first !== undefined ? [first] : this.filter.regions?.length ? this.filter.regions : undefined;
    if (regions === undefined && !dated && this.resume === undefined) {
      yield { prefix };
      return;
    }
    regions ??= await this.listDirs(prefix);
    for (const region of regions) {
      if (this.filter.regions?.length && !this.filter.regions.includes(region)) continue;
      const regionPrefix = `${prefix}${region}/`;
      // Day folders sort as text, so starting after `…/YYYY/MM/DD` (exclusive) begins at that day's first key.
      const startAfter = later(
        firstDay !== undefined ? `${regionPrefix}${firstDay.replaceAll('-', '/')}` : undefined,
        this.resume?.(regionPrefix),
      );
      yield {
        prefix: regionPrefix,
        ...(startAfter !== undefined ? { startAfter } : {}),
        ...(lastDay !== undefined ? { lastDay } : {}),
      };
    }
  }
}

function isoDay(ms: number): string {
  return new Date(ms).toISOString().slice(0, 10);
}
