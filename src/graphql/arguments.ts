/**
 * Text arguments checked before they reach a back-end URL or the database, so a hostile value comes back
 * as the caller's BAD_USER_INPUT naming the argument instead of an internal error further down:
 *
 * - an unpaired UTF-16 surrogate (`"\uD800"` is valid JSON and a valid GraphQL string) cannot be
 *   percent-encoded: `encodeURIComponent` throws on it;
 * - NUL (U+0000) cannot be stored in PostgreSQL text, and no name or key in Sales or Finance holds one;
 * - a value longer than anything either system stores can match nothing and only makes a URL too long.
 */
import { badInput } from './errors.js';

/**
 * The longest business key looked up (account, contact, quote and product numbers): above every key
 * either system allows (Dataverse `accountnumber` 20, `quotenumber` 100; F&O customer accounts and item
 * numbers 20), so nothing that exists is refused, and short enough that a key always fits in a URL.
 */
export const maxKeyLength = 100;

// With the `u` flag a well-formed pair is one astral code point; only an unpaired half is a Surrogate.
const unpairedSurrogate = /\p{Surrogate}/u;

/** What is wrong with `value` as text for a URL or the database, or undefined when nothing is. */
export function textProblem(value: string, maxLength = Infinity): string | undefined {
  if (value.length > maxLength) return `must be at most ${maxLength} characters long, got ${value.length}.`;
  if (unpairedSurrogate.test(value)) {
    return 'must be well-formed Unicode text, but it has an unpaired surrogate (a lone \\uD800–\\uDFFF).';
  }
  if (value.includes('\u0000')) return 'must not contain NUL (\\u0000) characters.';
  return undefined;
}

/** `value` when it is acceptable text of at most `maxLength` characters, else a BAD_USER_INPUT naming `argument`. */
export function checkedText(argument: string, value: string, maxLength = Infinity): string {
  const problem = textProblem(value, maxLength);
  if (problem !== undefined) throw badInput(argument, problem);
  return value;
}
