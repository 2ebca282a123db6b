/** Equal things compare equal across the two systems: decimals by value, dates by instant, blank as blank. */
import { describe, expect, it } from 'vitest';
import { canonicalDecimal, sameValue, type Comparison } from '../../src/sync/normalise.js';

describe('comparing values of the two systems', () => {
  it.each<[Comparison, unknown, unknown]>([
    ['decimal', '2500.00', '2500'],
    ['decimal', '2500', 2500],
    ['decimal', '0.50', '.5'],
    ['decimal', '-0.00', '0'],
    ['decimal', '2.5e3', '2500.000'],
    ['decimal', '007', '7.0'],
    ['instant', '2025-03-01T00:00:00Z', '2025-03-01T00:00:00.000Z'],
    ['instant', '2025-03-01T01:00:00+01:00', '2025-03-01T00:00:00Z'],
    ['text', ' Contoso ', 'Contoso'],
    ['text', null, ''],
    ['text', undefined, '   '],
    ['text', 1, '1'],
    ['text', true, 'true'],
    ['id', 'A1B2C3D4-0000-0000-0000-000000000001', 'a1b2c3d4-0000-0000-0000-000000000001'],
  ])('%s: %j equals %j', (comparison, a, b) => {
    expect(sameValue(a, b, comparison)).toBe(true);
  });

  it.each<[Comparison, unknown, unknown]>([
    ['decimal', '2500.01', '2500'],
    ['decimal', '-1', '1'],
    ['decimal', '0', null],
    ['instant', '2025-03-01T00:00:00Z', '2025-03-01T00:00:01Z'],
    ['text', 'Contoso', 'CONTOSO'],
    ['text', '01234', '1234'],
    ['text', 'x', null],
  ])('%s: %j differs from %j', (comparison, a, b) => {
    expect(sameValue(a, b, comparison)).toBe(false);
  });

  it.each([
    ['2500.00', '2500'],
    ['-12.340', '-12.34'],
    ['1e-3', '0.001'],
    ['12345678901234567890.123456789', '12345678901234567890.123456789'],
    ['abc', undefined],
    ['.', undefined],
    ['', undefined],
  ])('the canonical decimal of %j is %j, exact to the last digit', (text, expected) => {
    expect(canonicalDecimal(text)).toBe(expected);
  });
});
