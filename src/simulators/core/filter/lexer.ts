/** The `$filter` tokenizer: text in, tokens out, with a located syntax error for anything it cannot read. */
import { type QueryOptionError, syntaxError } from './errors.js';
import { classifyTemporal } from './literals.js';

/** The punctuation `$filter` uses: grouping, argument lists, CRM parameter lists and `Name=value`. */
export type Punctuation = '(' | ')' | ',' | '[' | ']' | '=';
/** One token; `pos` is its 0-based offset and `text` its exact source text. */
export type Token =
  | { kind: 'string'; pos: number; text: string; value: string }
  | { kind: 'number' | 'guid' | 'datetime' | 'date' | 'name'; pos: number; text: string }
  | { kind: 'enum'; pos: number; text: string; typeName: string; member: string }
  | { kind: 'punct'; pos: number; text: Punctuation }
  | { kind: 'end'; pos: number; text: '' };

// Sticky patterns, all constant: user text is only ever matched, never compiled into a pattern.
const guidToken = /[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}/y;
const temporalToken = /\d{4}-\d{2}-\d{2}(?:T[\d:.]*(?:Z|[+-]\d{2}:\d{2})?)?/y;
const numberToken = /-?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?/y;
const nameToken = /[A-Za-z_]\w*(?:\.[A-Za-z_]\w*)*/y;
const punctuation = new Set<string>(['(', ')', ',', '[', ']', '=']);

function matchAt(pattern: RegExp, text: string, pos: number): string | undefined {
  pattern.lastIndex = pos;
  return pattern.exec(text)?.[0];
}

/** Splits `$filter` text into tokens, ending with an `end` token. */
export function tokenize(text: string): Token[] {
  const tokens: Token[] = [];
  let pos = 0;
  for (;;) {
    while (pos < text.length && ' \t\r\n'.includes(text[pos]!)) pos++;
    if (pos >= text.length) {
      tokens.push({ kind: 'end', pos, text: '' });
      return tokens;
    }
    const token = readToken(text, pos);
    tokens.push(token);
    pos += token.text.length;
  }
}

/** How a token is quoted in a message: shortened, and `end of input` for the end. */
export function describe(token: Token): string {
  if (token.kind === 'end') return 'end of input';
  const text = token.text.length > 40 ? `${token.text.slice(0, 40)}…` : token.text;
  // String and enum literals already carry their quotes.
  return token.kind === 'string' || token.kind === 'enum' ? text : `'${text}'`;
}

function readToken(text: string, pos: number): Token {
  const ch = text[pos]!;
  if (punctuation.has(ch)) return { kind: 'punct', pos, text: ch as Punctuation };
  if (ch === "'") {
    const { raw, value } = readQuoted(text, pos);
    return { kind: 'string', pos, text: raw, value };
  }
  const guid = matchAt(guidToken, text, pos);
  if (guid !== undefined) return literalToken(text, { kind: 'guid', pos, text: guid });
  const temporal = matchAt(temporalToken, text, pos);
  if (temporal !== undefined)
    return literalToken(text, { kind: temporalKind(temporal, pos), pos, text: temporal });
  const number = matchAt(numberToken, text, pos);
  if (number !== undefined) return literalToken(text, { kind: 'number', pos, text: number });
  const name = matchAt(nameToken, text, pos);
  if (name === undefined) throw unexpectedCharacter(ch, pos);
  if (text[pos + name.length] !== "'") return { kind: 'name', pos, text: name };
  // A qualified name glued to a quoted string is a typed literal: F&O enums, NoYes'Yes'.
  const quoted = readQuoted(text, pos + name.length);
  return { kind: 'enum', pos, text: name + quoted.raw, typeName: name, member: quoted.value };
}

/** A literal must end at a delimiter: `10abc` or a GUID with a 13th hex digit is one bad token, not two. */
function literalToken<T extends Token>(text: string, token: T): T {
  const next = text[token.pos + token.text.length];
  if (next !== undefined && /[\w.:-]/.test(next)) {
    const rest = matchAt(/[\w.:+-]*/y, text, token.pos) ?? token.text;
    throw syntaxError(token.pos, `'${rest}' is not a valid literal`);
  }
  return token;
}

/** Reads `'...'` with `''` standing for one quote. */
function readQuoted(text: string, start: number): { raw: string; value: string } {
  let value = '';
  let pos = start + 1;
  for (;;) {
    const quote = text.indexOf("'", pos);
    if (quote < 0)
      throw syntaxError(start, 'unterminated string literal (a quote inside a literal is written twice)');
    value += text.slice(pos, quote);
    if (text[quote + 1] !== "'") return { raw: text.slice(start, quote + 1), value };
    value += "'";
    pos = quote + 2;
  }
}

function temporalKind(text: string, pos: number): 'date' | 'datetime' {
  const kind = classifyTemporal(text);
  if (kind === 'local') {
    throw syntaxError(
      pos,
      `the DateTimeOffset literal '${text}' needs a time zone: 'Z' or an offset such as +01:00 (encode '+' as %2B in a URL)`,
    );
  }
  if (kind === undefined) throw syntaxError(pos, `'${text}' is not a valid date or DateTimeOffset literal`);
  return kind;
}

function unexpectedCharacter(ch: string, pos: number): QueryOptionError {
  const hints: Record<string, string> = {
    '/': "navigation paths and lambda operators ('/') are not supported by the simulator",
    '"': 'string literals are enclosed in single quotes',
    '-': "'-' is only allowed in negative numbers; subtraction is written 'sub'",
    $: "'$it', '$root' and parameter aliases are not supported",
  };
  const operatorHint = '<>!&|+*'.includes(ch)
    ? `unexpected character '${ch}'; operators are words: eq ne gt ge lt le and or not`
    : undefined;
  return syntaxError(pos, hints[ch] ?? operatorHint ?? `unexpected character '${ch}'`);
}
