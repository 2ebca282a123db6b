import { parse as losslessParse } from 'lossless-json';
import { describe, expect, it } from 'vitest';
import { stringify } from 'lossless-json';
import { decimal, decimalText, parseJson, stringifyJson } from '../../../src/connectors/odata/json.js';

/** What the hub read with lossless-json's own parser: its results are the reference. */
function reference(text: string): unknown {
  return losslessParse(text, null, (token) => {
    const value = Number(token);
    return /^-?\d+$/.test(token) && Number.isSafeInteger(value) && !Object.is(value, -0) ? value : token;
  });
}

/** Random JSON texts with numbers of every shape and strings full of quotes, backslashes and digits. */
function randomDocument(random: () => number, depth = 0): string {
  const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)]!;
  const numbers = [
    '0',
    '-0',
    '7',
    '-12',
    '2500.0000',
    '0.1',
    '-1.50',
    '1e5',
    '2.5E-3',
    '9007199254740991',
    '9007199254740993',
    '12345678901234567890',
    '-0.0',
    '123456789012345',
  ];
  const strings = [
    '""',
    '"plain"',
    '"quote \\" inside"',
    '"ends with \\\\"',
    '"12.50"',
    '"\\u0041 1.0 -0"',
    '"\\\\\\"x"',
    '"é ✓"',
  ];
  const kind = depth > 3 ? pick(['n', 's', 'l']) : pick(['n', 's', 'l', 'o', 'a']);
  if (kind === 'n') return pick(numbers);
  if (kind === 's') return pick(strings);
  if (kind === 'l') return pick(['true', 'false', 'null']);
  const size = Math.floor(random() * 4);
  const members = Array.from({ length: size }, (_, i) =>
    kind === 'o'
      ? `"k${i}${pick(['', '\\"', '.5'])}": ${randomDocument(random, depth + 1)}`
      : randomDocument(random, depth + 1),
  );
  return kind === 'o' ? `{ ${members.join(', ')} }` : `[${members.join(',')}]`;
}

describe('lossless JSON', () => {
  it('keeps decimals exact as text and safe integers as numbers', () => {
    const body = parseJson(
      '{"creditlimit":2500.0000,"price":0.1,"big":12345678901234567890.12,"statecode":0,"versionnumber":9007199254740993,"@odata.count":42}',
    );
    expect(body).toEqual({
      creditlimit: '2500.0000',
      price: '0.1',
      big: '12345678901234567890.12',
      statecode: 0,
      versionnumber: '9007199254740993',
      '@odata.count': 42,
    });
  });

  it('reads every document exactly as lossless-json does', () => {
    let seed = 42;
    const random = () => (seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31) / 2 ** 31;
    for (let n = 0; n < 2_000; n++) {
      const text = randomDocument(random);
      expect(parseJson(text), text).toEqual(reference(text));
    }
  });

  it.each(['[01.5]', '[1.2.3]', '[-]', '{"a": 1', '{"a": "open}', '[1e]', '[+1]'])(
    'refuses %s, which is not JSON, with a SyntaxError',
    (text) => {
      expect(() => parseJson(text)).toThrow(SyntaxError);
    },
  );

  it('writes decimal() values as JSON numbers with their digits, plain strings as strings', () => {
    expect(
      stringifyJson({ CreditLimit: decimal('12.10'), Name: '12.10', Qty: decimal(3), Skip: undefined }),
    ).toBe('{"CreditLimit":12.10,"Name":"12.10","Qty":3}');
  });

  it.each([
    [
      'nested decimals, arrays, escapes and dates',
      { a: [decimal('-0.50'), { b: 'q"uote\\', c: null }], d: new Date(0) },
    ],
    [
      'a string that looks like the mark decimals take inside',
      { name: '\u0001decimal:5', qty: decimal('5') },
    ],
    ['a bigint, written as its digits', { big: 12345678901234567890n }],
  ])('writes exactly what lossless-json writes: %s', (_case, value) => {
    expect(stringifyJson(value)).toBe(stringify(value));
  });

  it('refuses what is not decimal notation', () => {
    expect(() => decimal('1e5')).toThrow(/Expected a decimal/);
    expect(() => decimal('12,5')).toThrow(/Expected a decimal/);
  });

  it.each([
    [2500, '2500'],
    ['2500.00', '2500.00'],
    [null, null],
    ['abc', undefined],
    [true, undefined],
  ])('decimalText(%j) is %j', (value, expected) => {
    expect(decimalText(value)).toBe(expected);
  });
});
