/** A read position over the token list, with the expect/accept steps the grammar is written in. */
import { syntaxError } from './errors.js';
import { describe, type Punctuation, type Token } from './lexer.js';

/** Walks a token list that ends with an `end` token; it never moves past that token. */
export class TokenCursor {
  private index = 0;

  constructor(private readonly tokens: readonly Token[]) {}

  /** The current token, not consumed. */
  peek(): Token {
    return this.tokens[this.index]!;
  }

  /** Consumes and returns the current token (the `end` token stays current). */
  advance(): Token {
    const token = this.peek();
    if (token.kind !== 'end') this.index++;
    return token;
  }

  /** The token just before `token`, for messages that say what a problem came after. */
  before(token: Token): Token | undefined {
    return this.tokens[this.tokens.indexOf(token) - 1];
  }

  /** Consumes `text` when it is next; says whether it was. */
  acceptPunct(text: Punctuation): boolean {
    const token = this.peek();
    if (token.kind !== 'punct' || token.text !== text) return false;
    this.index++;
    return true;
  }

  /** Consumes `text` or fails with `expected, found <token>`. */
  expectPunct(text: Punctuation, expected: string): void {
    const token = this.peek();
    if (!this.acceptPunct(text)) throw syntaxError(token.pos, `${expected}, found ${describe(token)}`);
  }

  /** Consumes a string literal and returns its value; `after` names what it is for in the message. */
  expectString(after: string): string {
    const token = this.advance();
    if (token.kind !== 'string') {
      throw syntaxError(token.pos, `expected a string literal for ${after}, found ${describe(token)}`);
    }
    return token.value;
  }
}
