import { describe, expect, it } from 'vitest';
import { QueryOptionError } from '../../src/simulators/core/filter/index.js';
import type { Row, Value } from '../../src/simulators/core/model.js';
import {
  compareRows,
  type OrderItem,
  parseNonNegativeInt,
  parseOrderBy,
  parseSelect,
} from '../../src/simulators/core/query-options.js';
import { accounts } from '../support/entity-sets.js';

function failure(parse: () => unknown): QueryOptionError {
  try {
    parse();
  } catch (error) {
    if (error instanceof QueryOptionError) return error;
    throw error;
  }
  throw new Error('expected a QueryOptionError');
}

describe('parseSelect', () => {
  it.each([
    ['name', ['name']],
    ['name,accountnumber', ['name', 'accountnumber']],
    [' name , accountnumber ', ['name', 'accountnumber']],
    ['accountnumber,name,accountnumber', ['accountnumber', 'name']],
    ['_parentcustomerid_value', ['_parentcustomerid_value']],
  ])('reads %j as the listed properties, in request order without duplicates', (text, expected) => {
    expect(parseSelect(text, accounts)).toEqual(expected);
  });

  it.each([
    ['absent', undefined],
    ['*', '*'],
  ])('returns undefined (all properties) when $select is %s', (_, text) => {
    expect(parseSelect(text, accounts)).toBeUndefined();
  });

  it.each([
    ['', 'The $select option is empty.'],
    ['name,,accountnumber', "Syntax error at position 5 in '$select': expected a property name."],
    ['foo', "Could not find a property named 'foo' on type 'account'."],
    [
      'Name',
      "Could not find a property named 'Name' on type 'account'. Property names are case-sensitive: did you mean 'name'?",
    ],
    ['name,*', "'*' must be the only item in $select."],
    [
      'name,primarycontactid/fullname',
      "Syntax error at position 5 in '$select': 'primarycontactid/fullname' is not a property name. Related rows are read with $expand.",
    ],
    [
      'tolower(name)',
      "Syntax error at position 0 in '$select': 'tolower(name)' is not a property name. Only property names are supported in $select.",
    ],
  ])('rejects %j', (text, message) => {
    expect(failure(() => parseSelect(text, accounts)).message).toBe(message);
  });
});

describe('parseOrderBy', () => {
  const item = (property: string, descending = false): OrderItem => ({
    property,
    descending,
    def: accounts.properties[property]!,
  });

  it.each([
    ['name', [item('name')]],
    ['name asc', [item('name')]],
    ['name desc', [item('name', true)]],
    ['name desc, accountnumber', [item('name', true), item('accountnumber')]],
    ['creditlimit   desc,name  asc', [item('creditlimit', true), item('name')]],
  ])('reads %j', (text, expected) => {
    expect(parseOrderBy(text, accounts)).toEqual(expected);
  });

  it('returns no items when $orderby is absent', () => {
    expect(parseOrderBy(undefined, accounts)).toEqual([]);
  });

  it.each([
    ['', 'The $orderby option is empty.'],
    [
      'name DESC',
      "Syntax error at position 5 in '$orderby': expected 'asc' or 'desc' after 'name', found 'DESC'.",
    ],
    [
      'accountnumber, name desc asc',
      "Syntax error at position 20 in '$orderby': expected 'asc' or 'desc' after 'name', found 'desc asc'.",
    ],
    ['name,name desc', "Duplicate property named 'name' is not supported in '$orderby'."],
    ['nmae', "Could not find a property named 'nmae' on type 'account'."],
    ['name,', "Syntax error at position 5 in '$orderby': expected a property name."],
    [
      'length(name) desc',
      "Syntax error at position 0 in '$orderby': 'length(name)' is not a property name. Only property names are supported in $orderby.",
    ],
  ])('rejects %j', (text, message) => {
    expect(failure(() => parseOrderBy(text, accounts)).message).toBe(message);
  });
});

describe('compareRows', () => {
  const sortBy = (orderby: string, values: Value[], property: string): Value[] =>
    values
      .map((v): Row => ({ [property]: v }))
      .sort(compareRows(parseOrderBy(orderby, accounts)))
      .map((row) => row[property] ?? null);

  it.each([
    ['puts nulls first when ascending', 'name', ['b', null, 'a'], [null, 'a', 'b']],
    ['puts nulls last when descending', 'name desc', ['b', null, 'a'], ['b', 'a', null]],
    [
      'orders strings case-insensitively',
      'name',
      ['beta', 'Alpha', 'alpha2', 'ALPHA1'],
      ['Alpha', 'ALPHA1', 'alpha2', 'beta'],
    ],
    [
      'orders Edm.Decimal text by value, not as text',
      'creditlimit',
      ['100.00', '9.50', null, '-1', '10'],
      [null, '-1', '9.50', '10', '100.00'],
    ],
    ['orders integers numerically', 'numberofemployees desc', [9, 100, 10], [100, 10, 9]],
    ['orders false before true', 'donotemail', [true, false, null], [null, false, true]],
    [
      'orders DateTimeOffset values by instant',
      'modifiedon',
      ['2024-01-01T00:30:00+01:00', '2024-01-01T00:00:00Z', '2023-12-31T23:45:00Z'],
      ['2024-01-01T00:30:00+01:00', '2023-12-31T23:45:00Z', '2024-01-01T00:00:00Z'],
    ],
  ])('%s', (_, orderby, values, expected) => {
    expect(sortBy(orderby, values, orderby.split(' ')[0]!)).toEqual(expected);
  });

  it('breaks ties with the next item', () => {
    const rows: Row[] = [
      { name: 'b', numberofemployees: 1 },
      { name: 'a', numberofemployees: 1 },
      { name: 'A', numberofemployees: 2 },
    ];
    const sorted = [...rows].sort(compareRows(parseOrderBy('name, numberofemployees desc', accounts)));
    expect(sorted).toEqual([
      { name: 'A', numberofemployees: 2 },
      { name: 'a', numberofemployees: 1 },
      { name: 'b', numberofemployees: 1 },
    ]);
  });

  it('compares by JavaScript type when an item carries no property definition', () => {
    const rows: Row[] = [{ k: 10 }, { k: 9 }, { k: null }];
    expect(rows.sort(compareRows([{ property: 'k', descending: false }])).map((r) => r['k'])).toEqual([
      null,
      9,
      10,
    ]);
  });
});

describe('parseNonNegativeInt', () => {
  it.each([
    ['0', 0],
    ['10', 10],
    ['5000', 5000],
    [undefined, undefined],
  ])('reads %j as %j', (text, expected) => {
    expect(parseNonNegativeInt('$top', text)).toBe(expected);
  });

  it.each(['-1', '1.5', '', ' 5', '5 ', 'abc', '1e3', '0x10', '99999999999999999999'])(
    'rejects %j',
    (text) => {
      expect(failure(() => parseNonNegativeInt('$skip', text)).message).toBe(
        `Invalid value '${text}' for $skip query option found. The $skip query option requires a non-negative integer value.`,
      );
    },
  );
});
