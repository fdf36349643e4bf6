/**
 * Regular expressions that users write (a whitelisting rule's `image_name`, `=~` in its `meta_info_json_path`)
 * run inside the commit of every new violation, on the thread that also serves HTTP. JavaScript's RegExp
 * backtracks: `(a+)+$` against `aaaa…!` takes about 2^n steps and would stall the server. RE2 (here re2js, a
 * pure-JavaScript port) matches in time linear in the input, whatever the pattern.
 *
 * RE2 has no backreferences, lookahead, possessive quantifiers or atomic groups (the features that need
 * backtracking), and no Java names such as `\p{Lower}` (`[[:lower:]]` and `\p{Ll}` work); a pattern that uses
 * them is refused when the rule is created. Lookbehind is supported.
 */
import { RE2JS } from 're2js';

export type FullMatcher = (input: string) => boolean;
export type CompiledRegex = { matches: FullMatcher } | { error: string };

/** Longer patterns are refused, so that compiling one stays cheap. */
export const MAX_PATTERN_LENGTH = 2000;

/** Jayway's `/…/flags` letters that RE2 can honour; `u` (Unicode case folding) is what RE2 always does. */
const FLAGS: Record<string, number> = {
  i: RE2JS.CASE_INSENSITIVE,
  m: RE2JS.MULTILINE,
  s: RE2JS.DOTALL,
  u: 0,
};

/**
 * Compiles a pattern for a full match, as Java's `String.matches` and Jayway's `=~` (`Matcher.matches`) test:
 * `a|b` matches `a` and `b`, never `ab`.
 */
export function compileFullMatch(pattern: string, flags = ''): CompiledRegex {
  if (pattern.length > MAX_PATTERN_LENGTH) return { error: `longer than ${MAX_PATTERN_LENGTH} characters` };
  let bits = RE2JS.LOOKBEHINDS;
  for (const flag of flags) {
    const bit = FLAGS[flag];
    if (bit === undefined) return { error: `flag '${flag}' is not supported (i, m, s and u are)` };
    bits |= bit;
  }
  try {
    const regex = RE2JS.compile(pattern, bits);
    return { matches: (input) => regex.testExact(input) };
  } catch (error) {
    return { error: (error as Error).message.replace(/^error parsing regexp: /, '') };
  }
}
