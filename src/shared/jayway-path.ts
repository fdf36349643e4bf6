/**
 * A rule's `meta_info_json_path` is a Jayway JsonPath (the original's library), evaluated here with
 * jsonpath-plus. A path is compiled once per rule: converted, checked (so that the API can refuse a path that
 * could never match) and turned into a matcher. Its filters may compare and combine the fields of the node under
 * test, and match them with `=~`, which runs on the linear-time engine of linear-regex.ts: they may not call
 * methods (`@.name.repeat(1e9)`) nor use JavaScript regular expressions, which backtrack.
 */
import { JSONPath } from 'jsonpath-plus';
import { isPlainObject } from './guards.js';
import { compileFullMatch, type FullMatcher } from './linear-regex.js';
import { checkScript } from './jayway-filter.js';

export type JsonPathMatcher = (metaInfo: unknown) => boolean;
export type CompiledJsonPath = { match: JsonPathMatcher } | { error: string };

/** Longer paths are refused, so that checking and converting one stays cheap. */
export const MAX_JSON_PATH_LENGTH = 2000;
/** `=~` becomes a call of `_$_re<n>(operand)`, a function the matcher puts beside `@` in the filter's scope. */
const REGEX_FUNCTION = '_$_re';

export interface ConvertedPath {
  path: string;
  filtersRoot: boolean;
  /** The `/source/flags` of each `=~`, in order: `_$_re0` tests the first. */
  regexes: Array<{ source: string; flags: string }>;
}

/**
 * Adapts a Jayway JsonPath to jsonpath-plus: `x =~ /re/flags` becomes a call of a full-match test, and `$.[?(…)]`
 * a filter applied to the root object itself, as Jayway applies it to a map.
 */
export function toJsonPathPlus(path: string): ConvertedPath {
  const filtersRoot = /^\$\.?\[\?/.test(path.trim());
  const regexes: ConvertedPath['regexes'] = [];
  const converted = path
    .trim()
    .replace(/^\$\.\[/, '$[')
    .replace(
      /(@(?:\.[\w$-]+|\[(?:'[^']*'|"[^"]*"|\d+)\])*)\s*=~\s*\/((?:\\.|[^/\\])+)\/([a-z]*)/g,
      (_all, operand: string, source: string, flags: string) => {
        regexes.push({ source, flags });
        return `${REGEX_FUNCTION}${regexes.length - 1}(${operand})`;
      },
    );
  return { path: converted, filtersRoot, regexes };
}

/** Index just past the literal (quoted string or `/regex/`) opening at `start`, or -1 when it never closes. */
function literalEnd(path: string, start: number): number {
  const close = path[start]!;
  let inClass = false;
  for (let i = start + 1; i < path.length; i++) {
    const c = path[i];
    if (c === '\\') i++;
    else if (close === '/' && c === '[') inClass = true;
    else if (close === '/' && c === ']') inClass = false;
    else if (c === close && !inClass) return i + 1;
  }
  return -1;
}

/** What is unbalanced in a path (brackets, parentheses, quotes, regex literals), or undefined. */
function unbalanced(path: string): string | undefined {
  const open: Array<{ closer: string; at: number }> = [];
  // The last character that is not white space: a `/` right after `=~` opens a regular expression.
  let last = -1;
  for (let i = 0; i < path.length; i++) {
    const c = path[i]!;
    if (/\s/.test(c)) continue;
    const isRegex = c === '/' && last > 0 && path[last] === '~' && path[last - 1] === '=';
    last = i;
    if (c === "'" || c === '"' || isRegex) {
      const end = literalEnd(path, i);
      if (end < 0) return `${isRegex ? 'regular expression' : 'string'} opened at character ${i + 1} is not closed`;
      i = end - 1;
      last = i;
    } else if (c === '[' || c === '(') {
      open.push({ closer: c === '[' ? ']' : ')', at: i + 1 });
    } else if (c === ']' || c === ')') {
      if (open.pop()?.closer !== c) return `unexpected '${c}' at character ${i + 1}`;
    }
  }
  const unclosed = open.at(-1);
  return unclosed === undefined
    ? undefined
    : `'${unclosed.closer}' missing for the bracket at character ${unclosed.at}`;
}

/** Why jsonpath-plus cannot evaluate the converted path, or undefined. */
function problemOf({ path, regexes }: ConvertedPath, sandbox: () => Sandbox): string | undefined {
  try {
    for (const segment of JSONPath.toPathArray(path)) {
      if (segment.startsWith('?') && !segment.startsWith('?(')) return `filter '${segment}' needs the form ?(…)`;
      if (!/^\??\(/.test(segment)) continue;
      if (!segment.endsWith(')')) return `filter '${segment}' is not closed`;
      checkScript(segment.replace(/^\?/, '').slice(1, -1), regexes.length);
    }
    // What the segments leave out (a stray `?`, a misplaced filter) fails when evaluated.
    for (const json of [{}, [{}]])
      JSONPath({ path, json, wrap: true, eval: 'safe', ignoreEvalErrors: true, sandbox: asOption(sandbox()) });
    return undefined;
  } catch (error) {
    return (error as Error).message.replace(/^jsonPath: /, '');
  }
}

type ValueTest = (value: unknown) => boolean;
/**
 * jsonpath-plus copies the sandbox's own properties into the filter's scope (its typings say Map, but a Map's
 * entries would not be copied).
 */
type Sandbox = Record<string, ValueTest>;
const asOption = (sandbox: Sandbox) => sandbox as unknown as Map<string, unknown>;

/** Jayway's `=~` reads strings, and numbers and booleans as their text; any other value matches nothing. */
function regexTest(matches: FullMatcher): ValueTest {
  return (value: unknown) =>
    typeof value === 'string'
      ? matches(value)
      : (typeof value === 'number' || typeof value === 'boolean') && matches(String(value));
}

/** The `=~` tests of a path, or why one of its regular expressions does not compile. */
function compileRegexes(regexes: ConvertedPath['regexes']): { tests: ValueTest[] } | { error: string } {
  const tests: ValueTest[] = [];
  for (const { source, flags } of regexes) {
    const compiled = compileFullMatch(source, flags);
    if ('error' in compiled) return { error: `regular expression /${source}/${flags}: ${compiled.error}` };
    tests.push(regexTest(compiled.matches));
  }
  return { tests };
}

/** Compiles a Jayway JsonPath once: a matcher that is true when the path yields a non-empty result, or why not. */
export function compileJsonPath(path: string): CompiledJsonPath {
  if (path.trim() === '') return { error: 'empty path' };
  if (path.length > MAX_JSON_PATH_LENGTH) return { error: `longer than ${MAX_JSON_PATH_LENGTH} characters` };
  // The converted filter's own names (`_$_v` for `@`, `_$_re0` for the first `=~`…) cannot be written directly.
  if (path.includes('_$_')) return { error: 'names beginning with _$_ are reserved' };
  const unbalancedPart = unbalanced(path);
  if (unbalancedPart !== undefined) return { error: unbalancedPart };
  const converted = toJsonPathPlus(path);
  const regexes = compileRegexes(converted.regexes);
  if ('error' in regexes) return regexes;
  // A fresh scope per evaluation: jsonpath-plus stores the node under test in it.
  const sandbox = (): Sandbox => Object.fromEntries(regexes.tests.map((test, i) => [`${REGEX_FUNCTION}${i}`, test]));
  const problem = problemOf(converted, sandbox);
  if (problem !== undefined) return { error: problem };
  return {
    match(metaInfo) {
      const json = converted.filtersRoot && isPlainObject(metaInfo) ? [metaInfo] : metaInfo;
      if (json === null || typeof json !== 'object') return false;
      try {
        // An expression that fails on one element (a missing nested field) rejects that element only, as in Jayway.
        const result: unknown = JSONPath({
          path: converted.path,
          json,
          wrap: true,
          eval: 'safe',
          ignoreEvalErrors: true,
          sandbox: asOption(sandbox()),
        });
        return Array.isArray(result) && result.length > 0;
      } catch {
        return false;
      }
    },
  };
}

/** True when the JsonPath yields a non-empty result on `metaInfo`; an invalid path matches nothing. */
export function jsonPathMatches(path: string, metaInfo: unknown): boolean {
  const compiled = compileJsonPath(path);
  return 'match' in compiled && compiled.match(metaInfo);
}
