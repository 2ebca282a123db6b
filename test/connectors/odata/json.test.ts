import { describe, expect, it } from 'vitest';
import { decimal, decimalText, parseJson, stringifyJson } from '../../../src/connectors/odata/json.js';

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

  it('writes decimal() values as JSON numbers with their digits, plain strings as strings', () => {
    expect(
      stringifyJson({ CreditLimit: decimal('12.10'), Name: '12.10', Qty: decimal(3), Skip: undefined }),
    ).toBe('{"CreditLimit":12.10,"Name":"12.10","Qty":3}');
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
