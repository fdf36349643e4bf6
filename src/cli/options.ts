/**
 * Shared commander options. Names and meanings follow the original client; every value is
 * validated here, at parse time, so a bad value is a usage error (exit 2) before any request is sent.
 */
import { InvalidArgumentError, Option } from 'commander';
import { parseMetaFilter, type MetaFilter } from './meta-filter.js';
import { parseAccounts, splitList } from './settings.js';
import { parseTimeSpec } from './time-spec.js';

export const OUTPUT_FORMATS = ['text', 'json', 'tsv', 'csv', 'ndjson'] as const;
export type OutputFormat = (typeof OUTPUT_FORMATS)[number];

/** Options every listing command shares, after parsing. */
export interface FilterOptions {
  accounts?: string[];
  /** Absent without `-s`: no time window, as in fullstop-cli 1.0.13. */
  since?: Date;
  until?: Date;
  type?: string[];
  severity?: number;
  region?: string[];
  instanceIds?: string[];
  applications?: string[];
  applicationVersions?: string[];
  meta?: MetaFilter;
  remeta?: RegExp;
  limit: number;
}

export interface ConnectionOptions {
  token?: string;
  timeout?: number;
}

/** Wraps a parse function so that its error becomes commander's invalid-argument error (exit 2). */
export function parser<T>(parse: (value: string) => T): (value: string) => T {
  return (value) => {
    try {
      return parse(value);
    } catch (error) {
      throw new InvalidArgumentError((error as Error).message.replace(/^--\S+: /, ''));
    }
  };
}

/** Parses an integer in [min, max]. */
export function integer(min: number, max = Number.MAX_SAFE_INTEGER): (value: string) => number {
  return parser((value) => {
    const number = Number(value);
    if (!/^\s*-?\d+\s*$/.test(value) || number < min || number > max) {
      throw new Error(
        max === Number.MAX_SAFE_INTEGER ? `expected an integer ≥ ${min}` : `expected an integer from ${min} to ${max}`,
      );
    }
    return number;
  });
}

/** Parses a non-empty comma-separated list. */
export function list(what: string): (value: string) => string[] {
  return parser((value) => {
    const items = splitList(value);
    if (items.length === 0) throw new Error(`expected one or more ${what}, comma separated`);
    return items;
  });
}

export const outputOption = () =>
  new Option('-o, --output <format>', 'output format').choices(OUTPUT_FORMATS).default('text');

export const accountsOption = () =>
  new Option('--accounts <ids>', 'AWS account ids, comma separated (default: your configured accounts)').argParser(
    parser((value) => parseAccounts(value)),
  );

/**
 * `-s/--since`; `now` is the context's clock, so a duration is relative to the same instant everywhere. No
 * default: the original client's last release (1.0.13) dropped its window ("By default do not restrict
 * violations by time") and sends `from` only when `-s` is given.
 */
export const sinceOption = (now: () => Date) =>
  new Option(
    '-s, --since <time_spec>',
    'only violations newer than this: 30s, 15m, 24h, 7d, 2w or an ISO date (default: any age)',
  ).argParser(parser((value) => parseTimeSpec(value, now())));

export const untilOption = (now: () => Date) =>
  new Option('--until <time_spec>', 'only violations older than this (same forms as --since)').argParser(
    parser((value) => parseTimeSpec(value, now())),
  );

export const typeOption = () =>
  new Option('-t, --type <types>', 'only these violation types, comma separated').argParser(list('violation types'));

export const severityOption = () =>
  new Option('--severity <n>', 'only violations of this severity (0 lowest to 4 highest)').argParser(integer(0, 4));

export const regionOption = () =>
  new Option('-r, --region <regions>', 'only these AWS regions, comma separated').argParser(list('regions'));

export const instanceIdsOption = () =>
  new Option(
    '--instance-ids <ids>',
    'only these instance ids (EC2 instance, security group, function ARN, …), comma separated',
  ).argParser(list('instance ids'));

export const applicationsOption = () =>
  new Option('--applications <ids>', 'only these application ids, comma separated').argParser(list('application ids'));

export const applicationVersionsOption = () =>
  new Option('--application-versions <versions>', 'only these application versions, comma separated').argParser(
    list('application versions'),
  );

export const metaOption = () =>
  new Option('-m, --meta <key=value>', 'only violations whose meta info has these values (k1=v1,k2=v2)').argParser(
    parser((value) => {
      const filter = parseMetaFilter(value);
      if (filter.length === 0) throw new Error('expected key=value[,key2=value2]');
      return filter;
    }),
  );

export const remetaOption = () =>
  new Option(
    '-x, --remeta <regex>',
    'only violations whose meta info matches this regular expression (at its start)',
  ).argParser(
    parser((value) => {
      try {
        return new RegExp(value);
      } catch (error) {
        throw new Error(`invalid regular expression: ${(error as Error).message}`);
      }
    }),
  );

export const limitOption = () =>
  new Option('-l, --limit <n>', 'at most this many violations, counted after every filter')
    .argParser(integer(1))
    .default(20);

export const tokenOption = () =>
  new Option('--token <token>', 'bearer token (default: FULLSTOP_TOKEN, else the token command)');

export const timeoutOption = () =>
  new Option(
    '--timeout <seconds>',
    'give up on a request after this many seconds (default: FULLSTOP_TIMEOUT, else 30)',
  ).argParser(integer(1, 3600));

/** Adds the filter and connection options shared by list-violations and resolve-violations. */
export function filterOptions(now: () => Date): Option[] {
  return [
    accountsOption(),
    sinceOption(now),
    untilOption(now),
    typeOption(),
    severityOption(),
    regionOption(),
    instanceIdsOption(),
    applicationsOption(),
    applicationVersionsOption(),
    metaOption(),
    remetaOption(),
    limitOption(),
  ];
}

/** The connection options every command that talks to the server takes. */
export function connectionOptions(): Option[] {
  return [tokenOption(), timeoutOption()];
}
