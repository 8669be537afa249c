/**
 * The regular-expression engine Ajv uses for a form's `pattern` and `patternProperties`: RE2
 * (re2js), which matches in time linear in the input. JavaScript's backtracking `RegExp` lets a
 * pattern such as `^(a|a)*$` hold the API's event loop for seconds on a few dozen characters.
 *
 * RE2 has no lookaround and no backreferences; such patterns are refused where the form is saved.
 * JSON Schema patterns are ECMA-262, so the one JavaScript spelling RE2 lacks, `\uXXXX` (and
 * `\u{X...}`), is translated to RE2's `\x{X...}`.
 */
import type { RegExpEngine, RegExpLike } from 'ajv/dist/types';
import { RE2JS } from 're2js';

const HEX4 = /^[0-9A-Fa-f]{4}$/;
const BRACED_HEX = /^\{([0-9A-Fa-f]{1,6})\}/;

function isHighSurrogate(code: number): boolean {
  return code >= 0xd800 && code <= 0xdbff;
}

function isLowSurrogate(code: number): boolean {
  return code >= 0xdc00 && code <= 0xdfff;
}

/** `\uXXXX` / `\u{X...}` to `\x{X...}` (a surrogate pair to its code point); everything else as written. */
export function toRe2Syntax(pattern: string): string {
  let out = '';
  let i = 0;
  while (i < pattern.length) {
    const ch = pattern[i] as string;
    if (ch !== '\\' || i + 1 >= pattern.length) {
      out += ch;
      i += 1;
      continue;
    }
    if (pattern[i + 1] !== 'u') {
      // any other escape, `\\` included, passes through whole so its second character is not re-read
      out += pattern.slice(i, i + 2);
      i += 2;
      continue;
    }
    const braced = BRACED_HEX.exec(pattern.slice(i + 2));
    if (braced) {
      out += `\\x{${braced[1]}}`;
      i += 2 + braced[0].length;
      continue;
    }
    const hex = pattern.slice(i + 2, i + 6);
    if (!HEX4.test(hex)) {
      out += pattern.slice(i, i + 2);
      i += 2;
      continue;
    }
    let code = parseInt(hex, 16);
    let used = 6;
    const next = pattern.slice(i + 6, i + 8) === '\\u' ? pattern.slice(i + 8, i + 12) : '';
    if (isHighSurrogate(code) && HEX4.test(next) && isLowSurrogate(parseInt(next, 16))) {
      code = 0x10000 + ((code - 0xd800) << 10) + (parseInt(next, 16) - 0xdc00);
      used = 12;
    }
    out += `\\x{${code.toString(16)}}`;
    i += used;
  }
  return out;
}

/** Compile `pattern` with RE2; throws RE2's syntax error for what it cannot run. */
export function compileLinearPattern(pattern: string): RegExpLike {
  const re = RE2JS.compile(toRe2Syntax(pattern));
  // Ajv keys compiled patterns by toString(): it must differ between patterns
  return { test: (s: string) => re.test(s), toString: () => `/${pattern}/` } as RegExpLike;
}

/** Ajv's `code.regExp` option. RE2 is always Unicode-aware, so Ajv's `u` flag changes nothing. */
export const linearRegExp: RegExpEngine = Object.assign((pattern: string) => compileLinearPattern(pattern), {
  code: 'linearRegExp',
});
