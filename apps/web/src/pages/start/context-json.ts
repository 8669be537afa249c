/**
 * The start page's context typed as JSON (for a workflow without a `contextSchema`): parsed
 * with the problem said plainly, where it is (line and column), and only an object accepted.
 */

import { parse, printParseErrorCode, type ParseError } from 'jsonc-parser';

export type ParsedContext = { readonly ok: true; readonly value: Record<string, unknown> } | { readonly ok: false; readonly message: string };

function lineColumn(text: string, offset: number): { line: number; column: number } {
  const before = text.slice(0, offset).split('\n');
  return { line: before.length, column: (before[before.length - 1]?.length ?? 0) + 1 };
}

const READABLE: Record<string, string> = {
  InvalidSymbol: 'an unexpected character (names and text go in double quotes)',
  InvalidNumberFormat: 'a badly written number',
  PropertyNameExpected: 'a property name in double quotes was expected',
  ValueExpected: 'a value was expected',
  ColonExpected: 'a colon (:) was expected',
  CommaExpected: 'a comma was expected',
  CloseBraceExpected: 'a closing } was expected',
  CloseBracketExpected: 'a closing ] was expected',
  EndOfFileExpected: 'the text goes on after the object ends',
  InvalidCommentToken: 'comments are not allowed',
  UnexpectedEndOfComment: 'a comment is not closed',
  UnexpectedEndOfString: 'a string is not closed',
  UnexpectedEndOfNumber: 'a number is cut short',
  InvalidUnicode: 'a bad \\u escape',
  InvalidEscapeCharacter: 'a bad escape (\\) in a string',
  InvalidCharacter: 'a character that must be escaped',
};

/** An empty text is the empty context `{}`. */
export function parseContext(text: string): ParsedContext {
  if (text.trim() === '') return { ok: true, value: {} };
  const errors: ParseError[] = [];
  const value: unknown = parse(text, errors, { allowTrailingComma: false, disallowComments: true, allowEmptyContent: false });
  const first = errors[0];
  if (first) {
    const { line, column } = lineColumn(text, first.offset);
    const code = printParseErrorCode(first.error);
    return { ok: false, message: `Not valid JSON at line ${line}, column ${column}: ${READABLE[code] ?? code}.` };
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    return { ok: false, message: 'The context must be a JSON object, such as {"amount": 5000}.' };
  }
  return { ok: true, value: value as Record<string, unknown> };
}
