import type { RegExpEngine, RegExpLike } from "ajv/dist/types/index.js";
import { RE2JS } from "re2js";
import { BoundedMap } from "./bounded-map.ts";

type Compiled = { ok: true; regexp: RE2JS } | { ok: false; reason: string };

// A pattern compiles to the same automaton whoever sent it, and holds no reference to
// any schema, so one bounded cache serves every scope; each pattern compiles once.
const PATTERN_CACHE_CAPACITY = 512;
const patterns = new BoundedMap<string, Compiled>(PATTERN_CACHE_CAPACITY);

function compilePattern(pattern: string): Compiled {
  let compiled = patterns.get(pattern);
  if (compiled === undefined) {
    try {
      compiled = { ok: true, regexp: RE2JS.compile(RE2JS.translateRegExp(pattern)) };
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      compiled = { ok: false, reason: message.replace(/^error parsing regexp: /, "") };
    }
    patterns.set(pattern, compiled);
  }
  return compiled;
}

/**
 * Ajv's `code.regExp` engine for caller schemas: RE2's automata (re2js, pure JavaScript),
 * so `pattern`, `patternProperties` and `propertyNames` run in time linear in the
 * answer, whatever the caller wrote. JavaScript's backtracking RegExp would let
 * `^(a+)+$` against "aaaa…a!" block the event loop for minutes.
 *
 * The pattern is read as JavaScript syntax (named groups, `\u{…}`, `\cX`, `/` are
 * translated). What no linear-time engine can run, lookaround and backreferences, and
 * repeat counts over 1000 throw; `unsupportedPatternReason` says why before Ajv compiles.
 */
export const linearRegExp: RegExpEngine = Object.assign(
  (pattern: string, _flags: string): RegExpLike => {
    const compiled = compilePattern(pattern);
    if (!compiled.ok) throw new SyntaxError(`pattern ${JSON.stringify(pattern)}: ${compiled.reason}`);
    const regexp = compiled.regexp;
    // Ajv caches compiled patterns by toString(): it must differ between patterns.
    return { test: (text: string) => regexp.test(text), toString: () => `re2js:${pattern}` } as RegExpLike;
  },
  // Only read by Ajv's standalone code generation, which Keel does not use.
  { code: 'require("re2js").RE2JS' },
);

/** Why the linear-time engine refuses a pattern, or undefined when it accepts it. */
export function unsupportedPatternReason(pattern: string): string | undefined {
  const compiled = compilePattern(pattern);
  return compiled.ok ? undefined : compiled.reason;
}
