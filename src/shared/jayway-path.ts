/**
 * A rule's `meta_info_json_path` is a Jayway JsonPath (the original's library), evaluated here with
 * jsonpath-plus. A path is compiled once per rule: converted, checked (so that the API can refuse a path that
 * could never match) and turned into a matcher.
 */
import { JSONPath } from 'jsonpath-plus';
import { isPlainObject } from './guards.js';

export type JsonPathMatcher = (metaInfo: unknown) => boolean;
export type CompiledJsonPath = { match: JsonPathMatcher } | { error: string };

/**
 * Adapts a Jayway JsonPath to jsonpath-plus: `x =~ /re/flags` becomes a full-match regex test, and `$.[?(…)]` a
 * filter applied to the root object itself, as Jayway applies it to a map.
 */
export function toJsonPathPlus(path: string): { path: string; filtersRoot: boolean } {
  const filtersRoot = /^\$\.?\[\?/.test(path.trim());
  const converted = path
    .trim()
    .replace(/^\$\.\[/, '$[')
    .replace(
      /(@(?:\.[\w$-]+|\[(?:'[^']*'|"[^"]*"|\d+)\])*)\s*=~\s*\/((?:\\.|[^/\\])+)\/([a-z]*)/g,
      (_all, operand: string, body: string, flags: string) => `/^(?:${body})$/${flags}.test(${operand})`,
    );
  return { path: converted, filtersRoot };
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
  for (let i = 0; i < path.length; i++) {
    const c = path[i]!;
    const isRegex = c === '/' && /=~\s*$/.test(path.slice(0, i));
    if (c === "'" || c === '"' || isRegex) {
      const end = literalEnd(path, i);
      if (end < 0) return `${isRegex ? 'regular expression' : 'string'} opened at character ${i + 1} is not closed`;
      i = end - 1;
    } else if (c === '[' || c === '(') {
      open.push({ closer: c === '[' ? ']' : ')', at: i + 1 });
    } else if (c === ']' || c === ')') {
      if (open.pop()?.closer !== c) return `unexpected '${c}' at character ${i + 1}`;
    }
  }
  const last = open.at(-1);
  return last === undefined ? undefined : `'${last.closer}' missing for the bracket at character ${last.at}`;
}

/** The names jsonpath-plus gives `@`, `@root`, `@parent`… inside a filter; no other free name exists there. */
const SANDBOX_NAMES = new Set(['_$_v', '_$_root', '_$_parent', '_$_parentProperty', '_$_property', '_$_path']);

interface AstNode {
  type: string;
  name?: string;
  computed?: boolean;
  object?: AstNode;
  [key: string]: unknown;
}

/**
 * jsonpath-plus's own expression parser (the one its safe evaluation runs), which its typings do not expose. A
 * filter that does not parse throws here; so does one that names anything but the node under test.
 */
function checkScript(script: string): void {
  const { Script } = (JSONPath.prototype as unknown as { safeVm: { Script: new (code: string) => { ast: AstNode } } })
    .safeVm;
  const code = script
    .replace(/@(parentProperty|parent|property|root|path)\b/g, '_$_$1')
    .replace(/@(?=[.\s)[])/g, '_$_v');
  const walk = (node: unknown): void => {
    if (typeof node !== 'object' || node === null) return;
    if (Array.isArray(node)) return node.forEach(walk);
    const ast = node as AstNode;
    if (ast.type === 'Identifier' && !SANDBOX_NAMES.has(ast.name ?? ''))
      throw new Error(`unknown name '${ast.name}' in ${script}`);
    if (ast.type === 'AssignmentExpression') throw new Error(`assignment in ${script}; compare with ==`);
    if (ast.type === 'MemberExpression' && ast.computed !== true) return walk(ast.object);
    Object.values(ast).forEach(walk);
  };
  walk(new Script(code).ast);
}

/** Why jsonpath-plus cannot evaluate the converted path, or undefined. */
function problemOf(converted: string): string | undefined {
  try {
    for (const segment of JSONPath.toPathArray(converted)) {
      if (segment.startsWith('?') && !segment.startsWith('?(')) return `filter '${segment}' needs the form ?(…)`;
      if (!/^\??\(/.test(segment)) continue;
      if (!segment.endsWith(')')) return `filter '${segment}' is not closed`;
      checkScript(segment.replace(/^\?/, '').slice(1, -1));
    }
    // What the segments leave out (a stray `?`, a misplaced filter) fails when evaluated.
    for (const json of [{}, [{}]])
      JSONPath({ path: converted, json, wrap: true, eval: 'safe', ignoreEvalErrors: true });
    return undefined;
  } catch (error) {
    return (error as Error).message.replace(/^jsonPath: /, '');
  }
}

/** Compiles a Jayway JsonPath once: a matcher that is true when the path yields a non-empty result, or why not. */
export function compileJsonPath(path: string): CompiledJsonPath {
  if (path.trim() === '') return { error: 'empty path' };
  const problem = unbalanced(path) ?? problemOf(toJsonPathPlus(path).path);
  if (problem !== undefined) return { error: problem };
  const { path: converted, filtersRoot } = toJsonPathPlus(path);
  return {
    match(metaInfo) {
      const json = filtersRoot && isPlainObject(metaInfo) ? [metaInfo] : metaInfo;
      if (json === null || typeof json !== 'object') return false;
      try {
        // An expression that fails on one element (a missing nested field) rejects that element only, as in Jayway.
        const result: unknown = JSONPath({ path: converted, json, wrap: true, eval: 'safe', ignoreEvalErrors: true });
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
