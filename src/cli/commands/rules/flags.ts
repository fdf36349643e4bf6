/**
 * The flags of `rules add` and `rules update`: one per rule field. A flag given as '' clears the field on
 * update. Values are checked here where that costs nothing (account ids, dates); the regular expression, the
 * JsonPath and the violation type are checked by the action (they need the regular-expression engine, whose
 * 260 KB every command would otherwise load at start, jsonpath-plus and the server). Nothing
 * here may be imported by the modules the actions load, or the bundler moves it, and commander, out of the
 * start-up bundle into a chunk of its own.
 */
import { InvalidArgumentError, Option } from 'commander';
import { parser } from '../../options.js';
import { parseTimeSpec } from '../../time-spec.js';

export interface RuleFlags {
  account?: string;
  region?: string;
  type?: string;
  application?: string;
  applicationVersion?: string;
  imageName?: string;
  imageOwner?: string;
  metaPath?: string;
  reason?: string;
  /** A date, or null for `never`. */
  expires?: Date | null;
}

const trimmed = (value: string) => value.trim();

function account(value: string): string {
  const text = value.trim();
  if (text !== '' && !/^\d{12}$/.test(text)) throw new InvalidArgumentError('not a 12-digit AWS account id');
  return text;
}

function reason(value: string): string {
  if (value.trim() === '') throw new InvalidArgumentError('the reason must not be empty');
  return value.trim();
}

/** `never`, a duration ahead of now (30d), or an ISO date or date-time, which must lie in the future. */
export function futureTime(now: () => Date): (value: string) => Date | null {
  return parser((value) => {
    if (value.trim().toLowerCase() === 'never') return null;
    const at = parseTimeSpec(value, now(), 'future');
    if (at.getTime() <= now().getTime()) throw new Error(`must lie in the future: ${at.toISOString()}`);
    return at;
  });
}

/** The rule field flags; `reason` is mandatory for `add` only. */
export function ruleOptions(now: () => Date, reasonRequired: boolean): Option[] {
  const reasonOption = new Option('--reason <text>', 'why the violations are acceptable (stored with the rule)');
  return [
    new Option('--account <id>', 'only violations of this AWS account').argParser(account),
    new Option('--region <region>', 'only violations in this AWS region').argParser(trimmed),
    new Option('--type <violation-type>', 'only violations of this type (see `fullstop types`)').argParser(trimmed),
    new Option('--application <id>', 'only violations of this application').argParser(trimmed),
    new Option('--application-version <version>', 'only violations of this application version').argParser(trimmed),
    new Option(
      '--image-name <regex>',
      "only violations whose meta info's ami_name matches this regular expression (whole name, as Java's matches)",
    ).argParser(trimmed),
    new Option('--image-owner <id>', "only violations whose meta info's ami_owner_id is this").argParser(trimmed),
    new Option(
      '--meta-path <jsonpath>',
      "only violations whose meta info this JsonPath finds something in, e.g. '$[?(@.user_name =~ /ci-.+/)]'",
    ).argParser(trimmed),
    reasonRequired ? reasonOption.makeOptionMandatory().argParser(reason) : reasonOption.argParser(reason),
    new Option(
      '--expires <time_spec>',
      'when the rule stops applying: 30d, 12w, an ISO date, or never (default: never)',
    ).argParser(futureTime(now)),
  ];
}
