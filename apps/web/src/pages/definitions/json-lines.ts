/**
 * Where in the JSON a person wrote a problem comes from: the API names problems by JSON path
 * (`nodes[3].serviceConfig.sql`, `routes[0].condition`, `triggers[1]["cron"]`), jsonc-parser finds
 * that path's node in the text, and its offset gives the line. A path that goes deeper than the
 * text (a missing field) points at the nearest part that is there. Invalid JSON is reported with
 * the line of its first syntax error.
 */

import { findNodeAtLocation, parseTree, printParseErrorCode, type Node, type ParseError } from 'jsonc-parser';

export type PathSegment = string | number;

/** `nodes[3].serviceConfig.sql` -> `['nodes', 3, 'serviceConfig', 'sql']`; `a["b c"]` -> `['a', 'b c']`. */
export function parsePath(path: string): PathSegment[] {
  const segments: PathSegment[] = [];
  let i = 0;
  while (i < path.length) {
    const c = path[i];
    if (c === '.') {
      i += 1;
    } else if (c === '[') {
      const close = path[i + 1] === '"' ? closingQuote(path, i + 1) : path.indexOf(']', i);
      if (close < 0) break;
      if (path[i + 1] === '"') {
        try {
          segments.push(JSON.parse(path.slice(i + 1, close + 1)) as string);
        } catch {
          segments.push(path.slice(i + 2, close));
        }
        i = close + 2;
      } else {
        const inner = path.slice(i + 1, close);
        segments.push(/^\d+$/.test(inner) ? Number(inner) : inner);
        i = close + 1;
      }
    } else {
      let end = i;
      while (end < path.length && path[end] !== '.' && path[end] !== '[') end += 1;
      segments.push(path.slice(i, end));
      i = end;
    }
  }
  return segments;
}

function closingQuote(path: string, open: number): number {
  for (let i = open + 1; i < path.length; i += 1) {
    if (path[i] === '\\') i += 1;
    else if (path[i] === '"') return i;
  }
  return -1;
}

/** The 1-based line of `offset` in `text`. */
export function lineOf(text: string, offset: number): number {
  let line = 1;
  const end = Math.min(Math.max(offset, 0), text.length);
  for (let i = 0; i < end; i += 1) if (text.charCodeAt(i) === 10) line += 1;
  return line;
}

/** The offsets a 1-based line spans (without its line break). */
export function lineRange(text: string, line: number): { start: number; end: number } {
  let start = 0;
  for (let n = 1; n < line; n += 1) {
    const next = text.indexOf('\n', start);
    if (next < 0) return { start: text.length, end: text.length };
    start = next + 1;
  }
  const end = text.indexOf('\n', start);
  return { start, end: end < 0 ? text.length : end };
}

/** The node a path names, else the nearest ancestor the text has. */
function nearestNode(root: Node, segments: readonly PathSegment[]): Node {
  for (let n = segments.length; n > 0; n -= 1) {
    const found = findNodeAtLocation(root, segments.slice(0, n));
    if (found) {
      // a property's value: point at its key's line (where the reader looks)
      return found.parent?.type === 'property' ? found.parent : found;
    }
  }
  return root;
}

/** The line a problem's JSON path comes from in `text`; null when the text is no JSON at all. */
export function lineOfPath(text: string, path: string | undefined): number | null {
  const root = parseTree(text, [], { allowTrailingComma: false, disallowComments: true });
  if (!root) return null;
  const segments = path ? parsePath(path) : [];
  return lineOf(text, nearestNode(root, segments).offset);
}

export interface SyntaxProblem {
  readonly line: number;
  readonly column: number;
  readonly message: string;
}

const SYNTAX_MESSAGES: Record<string, string> = {
  InvalidSymbol: 'unexpected character',
  InvalidNumberFormat: 'invalid number',
  PropertyNameExpected: 'a property name (in double quotes) is expected',
  ValueExpected: 'a value is expected',
  ColonExpected: 'a colon is expected',
  CommaExpected: 'a comma is expected',
  CloseBraceExpected: 'a closing brace } is expected',
  CloseBracketExpected: 'a closing bracket ] is expected',
  EndOfFileExpected: 'nothing may follow the JSON value',
  InvalidCommentToken: 'comments are not allowed in JSON',
  UnexpectedEndOfComment: 'a comment is not closed',
  UnexpectedEndOfString: 'a string is not closed',
  UnexpectedEndOfNumber: 'a number ends too early',
  InvalidUnicode: 'invalid unicode escape',
  InvalidEscapeCharacter: 'invalid escape character',
  InvalidCharacter: 'invalid character in a string',
};

/** The syntax errors of `text` as JSON (comments and trailing commas are errors), with their lines. */
export function syntaxProblems(text: string): SyntaxProblem[] {
  const errors: ParseError[] = [];
  parseTree(text, errors, { allowTrailingComma: false, disallowComments: true });
  if (text.trim() === '') return [{ line: 1, column: 1, message: 'the text is empty: write the definition as a JSON object' }];
  return errors.map((e) => {
    const line = lineOf(text, e.offset);
    const column = e.offset - lineRange(text, line).start + 1;
    const code = printParseErrorCode(e.error);
    return { line, column, message: SYNTAX_MESSAGES[code] ?? code };
  });
}

export interface LocatedProblem {
  readonly path: string | null;
  readonly message: string;
  /** null: the text is not JSON, so no line can be found */
  readonly line: number | null;
}

/** The API's problems, each with the line of `text` it comes from, in line order. */
export function locateProblems(text: string, problems: readonly { path?: string | undefined; message: string }[]): LocatedProblem[] {
  return problems
    .map((p) => ({ path: p.path ?? null, message: p.message, line: lineOfPath(text, p.path) }))
    .sort((a, b) => (a.line ?? Infinity) - (b.line ?? Infinity));
}
