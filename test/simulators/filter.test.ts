import { describe, expect, it } from 'vitest';
import {
  evaluateFilter,
  type FilterDialect,
  financeDialect,
  maxFilterDepth,
  maxFilterLength,
  parseFilter,
  QueryOptionError,
  salesDialect,
} from '../../src/simulators/core/filter/index.js';
import type { EntitySetDef, Row } from '../../src/simulators/core/model.js';
import { accounts } from '../support/entity-sets.js';

// --- fixtures: a Dataverse-like `accounts` (shared) and an F&O-like `CustomersV3` -----------------------

// P2 starts with letters, so the tokenizer must not read it as a property name.
const P1 = '4b757ff7-9c85-ee11-8179-000d3a341f1b';
const P2 = 'abcdef12-0000-4000-8000-000000000002';

const account = (values: Row): Row => ({
  ...Object.fromEntries(Object.keys(accounts.properties).map((p) => [p, null])),
  ...values,
});

const accountRows: Row[] = [
  account({
    accountnumber: 'A1',
    name: 'Contoso',
    creditlimit: '2500.00',
    numberofemployees: 120,
    exchangerate: 1.5,
    donotemail: false,
    _parentcustomerid_value: P1,
    modifiedon: '2024-01-15T10:30:00Z',
    foundedon: '1990-05-01',
  }),
  account({
    accountnumber: 'A2',
    name: 'Fabrikam',
    creditlimit: '10.50',
    numberofemployees: 8,
    exchangerate: 0.25,
    donotemail: true,
    _parentcustomerid_value: P2,
    modifiedon: '2023-12-31T23:59:59.999Z',
    foundedon: '2024-01-01',
  }),
  account({ accountnumber: 'A3', name: "O'Brien & Sons #1", modifiedon: '2024-06-01T12:00:00.1234567Z' }),
  account({
    accountnumber: 'A4',
    name: 'Zürich Ünïcödé',
    creditlimit: '-5.25',
    numberofemployees: 0,
    exchangerate: -1,
    donotemail: false,
    _parentcustomerid_value: P1,
    modifiedon: '2024-01-01T00:00:00Z',
    foundedon: '2000-02-29',
  }),
  account({
    accountnumber: 'A5',
    name: "x' or 1 eq 1",
    creditlimit: '1000000.0001',
    numberofemployees: 5000,
    exchangerate: 2,
    donotemail: false,
    _parentcustomerid_value: P2,
  }),
  account({
    accountnumber: 'A6',
    name: 'Star*',
    creditlimit: '0.00',
    numberofemployees: 1,
    exchangerate: 0,
    donotemail: true,
    modifiedon: '2025-03-01T01:00:00+02:00',
  }),
  account({ accountnumber: 'A7', creditlimit: '10.5', numberofemployees: 2, donotemail: false }),
];

const customers: EntitySetDef = {
  name: 'CustomersV3',
  entityType: 'CustomerV3',
  key: ['dataAreaId', 'CustomerAccount'],
  properties: {
    dataAreaId: { type: 'Edm.String' },
    CustomerAccount: { type: 'Edm.String' },
    OrganizationName: { type: 'Edm.String' },
    CreditLimit: { type: 'Edm.Decimal' },
    IsExternallyMaintained: { type: 'Edm.String', enumType: 'NoYes', enumMembers: ['No', 'Yes'] },
    QuotationStatus: {
      type: 'Edm.String',
      enumType: 'SalesQuotationStatus',
      enumMembers: ['Created', 'Sent', 'Confirmed', 'Lost', 'Cancelled'],
    },
  },
};

const customer = (
  dataAreaId: string,
  CustomerAccount: string,
  OrganizationName: string,
  CreditLimit: string | null,
  IsExternallyMaintained: string,
  QuotationStatus: string,
): Row => ({
  dataAreaId,
  CustomerAccount,
  OrganizationName,
  CreditLimit,
  IsExternallyMaintained,
  QuotationStatus,
});

const customerRows: Row[] = [
  customer('usmf', 'US-001', 'Contoso Retail', '2500.00', 'Yes', 'Created'),
  customer('usmf', 'US-002', 'ABC Supplies', '10.50', 'No', 'Sent'),
  customer('usmf', 'US-003', 'Northwind abc', '0', 'No', 'Confirmed'),
  customer('dat', 'DE-001', 'Fabrikam ABC Works', null, 'Yes', 'Lost'),
  customer('dat', 'DE-002', "O'Neil & Co", '-1', 'No', 'Cancelled'),
];

// --- helpers -------------------------------------------------------------------------------------------

function sales(filter: string, dialect: FilterDialect = salesDialect): string[] {
  const expr = parseFilter(filter, accounts, dialect);
  return accountRows.filter((row) => evaluateFilter(expr, row)).map((row) => String(row['accountnumber']));
}

function finance(filter: string): string[] {
  const expr = parseFilter(filter, customers, financeDialect);
  return customerRows.filter((row) => evaluateFilter(expr, row)).map((row) => String(row['CustomerAccount']));
}

function failure(filter: string, set = accounts, dialect = salesDialect): QueryOptionError {
  try {
    parseFilter(filter, set, dialect);
  } catch (error) {
    if (error instanceof QueryOptionError) return error;
    throw error;
  }
  throw new Error(`expected '${filter}' to be rejected`);
}

const financeFailure = (filter: string): QueryOptionError => failure(filter, customers, financeDialect);

// --- tests ---------------------------------------------------------------------------------------------

describe('$filter operators and precedence', () => {
  it.each([
    [
      'binds and tighter than or',
      "accountnumber eq 'A1' or accountnumber eq 'A2' and donotemail eq false",
      ['A1'],
    ],
    [
      'lets parentheses override precedence',
      "(accountnumber eq 'A1' or accountnumber eq 'A2') and donotemail eq true",
      ['A2'],
    ],
    [
      'applies not to a parenthesized comparison',
      "not (accountnumber eq 'A1') and numberofemployees gt 100",
      ['A5'],
    ],
    ['negates a boolean property with not', 'not donotemail', ['A1', 'A4', 'A5', 'A7']],
    ['allows not to be repeated', 'not not donotemail', ['A2', 'A6']],
    [
      'accepts a boolean property as an operand of or',
      'donotemail or numberofemployees lt 2',
      ['A2', 'A4', 'A6'],
    ],
    ['combines ge and le into a range', 'numberofemployees ge 8 and numberofemployees le 120', ['A1', 'A2']],
    ['ignores redundant parentheses', "(((accountnumber eq 'A3')))", ['A3']],
    [
      'compares a function result with eq true',
      "contains(name,'o') eq true and not startswith(name,'C')",
      ['A3', 'A5'],
    ],
    [
      'compares two properties of the same row',
      'numberofemployees gt exchangerate and exchangerate gt 1',
      ['A1', 'A5'],
    ],
  ])('%s', (_, filter, expected) => {
    expect(sales(filter)).toEqual(expected);
  });

  it('keeps a long or chain flat, so it costs no nesting depth', () => {
    const filter = Array.from({ length: 1000 }, (_, i) => `accountnumber eq 'A${i}'`).join(' or ');
    const expr = parseFilter(filter, accounts, salesDialect);
    expect(expr).toMatchObject({ kind: 'logical', op: 'or' });
    expect(expr.kind === 'logical' && expr.operands.length).toBe(1000);
    expect(sales(filter)).toEqual(['A1', 'A2', 'A3', 'A4', 'A5', 'A6', 'A7']);
  });
});

describe('$filter null semantics', () => {
  it.each([
    ['matches a null value with eq null', 'name eq null', ['A7']],
    ['matches every non-null value with ne null', 'name ne null', ['A1', 'A2', 'A3', 'A4', 'A5', 'A6']],
    [
      'treats a null value as not equal to a literal',
      "name ne 'Contoso'",
      ['A2', 'A3', 'A4', 'A5', 'A6', 'A7'],
    ],
    ['never matches an ordering comparison with null', 'creditlimit gt null', []],
    [
      'makes gt false for a null value, so its negation matches',
      'not (numberofemployees gt 100)',
      ['A2', 'A3', 'A4', 'A6', 'A7'],
    ],
    [
      'treats a function of null as unknown, so neither it nor its negation matches',
      "not contains(name,'z')",
      ['A1', 'A2', 'A3', 'A5', 'A6'],
    ],
    ['finds null lookups with eq null', '_parentcustomerid_value eq null', ['A3', 'A6', 'A7']],
    ['compares the null literal with itself', "null eq null and accountnumber eq 'A1'", ['A1']],
  ])('%s', (_, filter, expected) => {
    expect(sales(filter)).toEqual(expected);
  });
});

describe('$filter string literals', () => {
  it.each([
    ['treats a doubled quote inside a literal as one quote', "name eq 'O''Brien & Sons #1'", ['A3']],
    ['compares strings case-insensitively', "name eq 'o''brien & SONS #1'", ['A3']],
    ['matches an injection-looking literal only as literal text', "name eq 'x'' or 1 eq 1'", ['A5']],
    ['compares unicode case-insensitively', "name eq 'zürich ünïcödé'", ['A4']],
    ['keeps accents significant, like SQL Server _CI_AS collations', "name eq 'Zurich Unicode'", []],
    ['keeps & and # as ordinary characters', "contains(name,'&') and endswith(name,'#1')", ['A3']],
    ['matches nothing with the empty string', "name eq ''", []],
    ['treats * as a literal character on Sales', "name eq 'Star*'", ['A6']],
    ['does not expand * as a wildcard on Sales', "name eq 'Sta*'", []],
    ['orders strings case-insensitively', "name lt 'd' and name ge 'A'", ['A1']],
  ])('%s', (_, filter, expected) => {
    expect(sales(filter)).toEqual(expected);
  });
});

describe('$filter numbers, GUIDs and dates', () => {
  it.each([
    ['compares Edm.Decimal text by value', 'creditlimit eq 10.5', ['A2', 'A7']],
    ['accepts trailing zeros in a decimal literal', 'creditlimit eq 10.50', ['A2', 'A7']],
    ['compares decimals exactly to four places', 'creditlimit gt 1000000', ['A5']],
    ['does not round a decimal to an integer', 'creditlimit eq 1000000', []],
    ['accepts negative literals', 'creditlimit ge -5.25 and creditlimit le 0', ['A4', 'A6']],
    ['compares integers with a decimal literal', 'numberofemployees eq 120.0', ['A1']],
    ['compares doubles', 'exchangerate eq 0.25 or exchangerate lt -0.5', ['A2', 'A4']],
    ['accepts a double literal with an exponent', 'exchangerate eq 15e-1', ['A1']],
    ['matches a bare GUID literal', `_parentcustomerid_value eq ${P1}`, ['A1', 'A4']],
    [
      'matches a GUID starting with letters, in any case',
      `_parentcustomerid_value eq ${P2.toUpperCase()}`,
      ['A2', 'A5'],
    ],
    ['includes null lookups in ne', `_parentcustomerid_value ne ${P1}`, ['A2', 'A3', 'A5', 'A6', 'A7']],
    [
      'compares DateTimeOffset values as instants',
      'modifiedon ge 2024-01-01T00:00:00Z',
      ['A1', 'A3', 'A4', 'A6'],
    ],
    [
      'honours milliseconds',
      'modifiedon gt 2023-12-31T23:59:59.998Z and modifiedon lt 2024-01-01T00:00:00Z',
      ['A2'],
    ],
    [
      'honours offsets',
      'modifiedon eq 2024-01-01T01:00:00+01:00 or modifiedon eq 2025-02-28T23:00:00Z',
      ['A4', 'A6'],
    ],
    ['accepts seven fractional digits', 'modifiedon ge 2024-06-01T12:00:00.1234567Z', ['A3', 'A6']],
    ['compares a DateTimeOffset with a date literal as midnight UTC', 'modifiedon lt 2024-01-01', ['A2']],
    ['compares Edm.Date values', 'foundedon eq 2000-02-29 or foundedon lt 2000-01-01', ['A1', 'A4']],
    [
      'extracts year, month and day',
      'year(modifiedon) eq 2024 and month(modifiedon) eq 1 and day(modifiedon) eq 15',
      ['A1'],
    ],
    [
      "reads date parts in the value's own offset",
      'day(modifiedon) eq 1 and year(modifiedon) eq 2025',
      ['A6'],
    ],
  ])('%s', (_, filter, expected) => {
    expect(sales(filter)).toEqual(expected);
  });
});

describe('$filter functions on Sales', () => {
  it.each([
    ["contains(name,'RIK')", ['A2']],
    ["startswith(name,'o''b')", ['A3']],
    ["endswith(name,'SOFT') or endswith(name,'oso')", ['A1']],
    ["tolower(name) eq 'contoso'", ['A1']],
    ["toupper(name) eq 'FABRIKAM'", ['A2']],
    ['length(name) eq 7', ['A1']],
    ["trim(concat(' ', name)) eq 'Fabrikam'", ['A2']],
    ["concat(accountnumber, name) eq 'A1Contoso'", ['A1']],
  ])('evaluates %s', (filter, expected) => {
    expect(sales(filter)).toEqual(expected);
  });
});

describe('Dataverse query functions (Microsoft.Dynamics.CRM.*)', () => {
  const crm = (fn: string, property: string, values: string): string =>
    `Microsoft.Dynamics.CRM.${fn}(PropertyName='${property}',PropertyValues=[${values}])`;

  it.each([
    [
      'matches any listed value with In, case-insensitively',
      crm('In', 'accountnumber', "'A1','a2','A9'"),
      ['A1', 'A2'],
    ],
    [
      'excludes listed values and nulls with NotIn',
      crm('NotIn', 'numberofemployees', "'8','120'"),
      ['A4', 'A5', 'A6', 'A7'],
    ],
    [
      'reads PropertyValues as the property type (Int32)',
      crm('In', 'numberofemployees', "'8','120'"),
      ['A1', 'A2'],
    ],
    [
      'reads PropertyValues as the property type (Guid)',
      crm('In', '_parentcustomerid_value', `'${P2.toUpperCase()}'`),
      ['A2', 'A5'],
    ],
    ['reads PropertyValues as the property type (Decimal)', crm('In', 'creditlimit', "'10.5'"), ['A2', 'A7']],
    ['unescapes doubled quotes in PropertyValues', crm('In', 'name', "'O''Brien & Sons #1'"), ['A3']],
    ['includes both bounds with Between', crm('Between', 'numberofemployees', "'1','8'"), ['A2', 'A6', 'A7']],
    [
      'excludes the range and nulls with NotBetween',
      crm('NotBetween', 'numberofemployees', "'1','8'"),
      ['A1', 'A4', 'A5'],
    ],
    [
      'combines with other conditions',
      `${crm('In', 'accountnumber', "'A1','A2'")} and donotemail eq false`,
      ['A1'],
    ],
    [
      'accepts the parameters in either order',
      "Microsoft.Dynamics.CRM.In(PropertyValues=['A3'],PropertyName='accountnumber')",
      ['A3'],
    ],
  ])('%s', (_, filter, expected) => {
    expect(sales(filter)).toEqual(expected);
  });

  it.each([
    [
      crm('In', 'numberofemployees', "'8','x'"),
      "The value 'x' in PropertyValues is not a valid Edm.Int32 for 'numberofemployees'.",
    ],
    [
      crm('In', '_parentcustomerid_value', "'not-a-guid'"),
      "The value 'not-a-guid' in PropertyValues is not a valid Edm.Guid",
    ],
    [crm('In', 'accountnumber', ''), 'needs at least one value in PropertyValues'],
    [crm('Between', 'numberofemployees', "'1'"), 'needs exactly two PropertyValues (low and high), got 1'],
    [
      crm('In', 'AccountNumber', "'A1'"),
      "Could not find a property named 'AccountNumber' on type 'account'.",
    ],
    [
      "Microsoft.Dynamics.CRM.In(PropertyName='accountnumber')",
      "needs PropertyName='<property>' and PropertyValues",
    ],
    ["Microsoft.Dynamics.CRM.In(PropertyName='name',Values=['a'])", "Unknown parameter 'Values'"],
    [
      crm('LastXDays', 'modifiedon', "'3'"),
      "The query function 'Microsoft.Dynamics.CRM.LastXDays' at position 0 is not supported",
    ],
    [crm('In', 'name', '1,2'), "expected a string literal for a list item, found '1'"],
  ])('rejects %s', (filter, message) => {
    expect(failure(filter).message).toContain(message);
  });

  it('rejects CRM query functions on Finance and suggests an or chain', () => {
    const error = financeFailure(crm('In', 'CustomerAccount', "'US-001','US-002'"));
    expect(error.message).toContain(
      'is a Dataverse query function; Finance and Operations does not support it',
    );
    expect(error.message).toContain("Chain 'or' comparisons instead");
  });
});

describe('$filter on Finance', () => {
  it.each([
    ['treats *text* as contains', "OrganizationName eq '*abc*'", ['US-002', 'US-003', 'DE-001']],
    ['treats text* as startswith', "OrganizationName eq 'abc*'", ['US-002']],
    ['treats *text as endswith', "OrganizationName eq '*abc'", ['US-003']],
    ['matches a * in the middle', "OrganizationName eq 'a*s'", ['US-002']],
    ['negates a wildcard with ne', "OrganizationName ne '*abc*'", ['US-001', 'DE-002']],
    [
      'matches every value with a lone *',
      "OrganizationName eq '*'",
      ['US-001', 'US-002', 'US-003', 'DE-001', 'DE-002'],
    ],
    [
      'accepts the wildcard literal on the left',
      "'*ABC*' eq OrganizationName",
      ['US-002', 'US-003', 'DE-001'],
    ],
    ['compares without a wildcard case-insensitively', "OrganizationName eq 'abc supplies'", ['US-002']],
    ['keeps quotes and & in literals', "OrganizationName eq 'O''Neil & Co'", ['DE-002']],
    [
      'reads a company-qualified key lookup',
      "dataAreaId eq 'usmf' and CustomerAccount eq 'US-002'",
      ['US-002'],
    ],
    [
      'reads an or chain of compound keys',
      "(dataAreaId eq 'usmf' and CustomerAccount eq 'US-001') or (dataAreaId eq 'dat' and CustomerAccount eq 'DE-001')",
      ['US-001', 'DE-001'],
    ],
    [
      'matches an enum literal by member name',
      "IsExternallyMaintained eq Microsoft.Dynamics.DataEntities.NoYes'Yes'",
      ['US-001', 'DE-001'],
    ],
    [
      'negates an enum comparison',
      "IsExternallyMaintained ne Microsoft.Dynamics.DataEntities.NoYes'Yes'",
      ['US-002', 'US-003', 'DE-002'],
    ],
    [
      'orders enum members by declaration, not alphabetically',
      "QuotationStatus gt Microsoft.Dynamics.DataEntities.SalesQuotationStatus'Sent'",
      ['US-003', 'DE-001', 'DE-002'],
    ],
    ['compares Edm.Decimal by value', 'CreditLimit eq 10.5', ['US-002']],
    ['adds to a decimal', 'CreditLimit add 100 gt 2000', ['US-001']],
    ['keeps decimal arithmetic exact', 'CreditLimit add 0.1 add 0.2 eq 10.8', ['US-002']],
    [
      'multiplies, subtracts, divides and takes the modulus',
      'CreditLimit mul 2 eq 21 and CreditLimit sub 0.5 eq 10 and CreditLimit mod 2 eq 0.5',
      ['US-002'],
    ],
    ['binds mul tighter than add', 'CreditLimit add 2 mul 5 eq 20.5', ['US-002']],
    ['divides', 'CreditLimit div 4 eq 625', ['US-001']],
    ['matches nothing instead of failing on division by zero', 'CreditLimit div 0 eq 1', []],
    ['allows the non-matching string functions', "tolower(OrganizationName) eq 'contoso retail'", ['US-001']],
  ])('%s', (_, filter, expected) => {
    expect(finance(filter)).toEqual(expected);
  });

  it.each(['contains', 'startswith', 'endswith'])('rejects %s() and points to eq with wildcards', (fn) => {
    const error = financeFailure(`${fn}(OrganizationName,'abc')`);
    expect(error.message).toContain(
      `The function '${fn}' is not supported by Finance and Operations at position 0`,
    );
    expect(error.message).toContain("Name eq '*text*'");
  });

  it.each([
    ["IsExternallyMaintained eq 'Yes'", "Write enum values as Microsoft.Dynamics.DataEntities.NoYes'Yes'."],
    [
      "IsExternallyMaintained eq Microsoft.Dynamics.DataEntities.YesNo'Yes'",
      "an enum literal must name the property's enum type",
    ],
    [
      "IsExternallyMaintained eq Microsoft.Dynamics.DataEntities.NoYes'Maybe'",
      "'Maybe' is not a member of enum 'Microsoft.Dynamics.DataEntities.NoYes' (members: No, Yes).",
    ],
    [
      "IsExternallyMaintained eq NoYes'Yes'",
      "enum values are written Microsoft.Dynamics.DataEntities.<EnumType>'<Member>'",
    ],
    ["customeraccount eq 'US-001'", "Property names are case-sensitive: did you mean 'CustomerAccount'?"],
    ['CreditLimit add OrganizationName eq 1', "operator kind 'Add'"],
  ])('rejects %s', (filter, message) => {
    expect(financeFailure(filter).message).toContain(message);
  });
});

describe('the OData in operator', () => {
  it('is rejected on Sales with a pointer to Microsoft.Dynamics.CRM.In', () => {
    const error = failure("accountnumber in ('A1','A2')");
    expect(error.message).toBe(
      "The query parameter $filter has an unsupported operator 'in' at position 14. Dataverse does not support the OData 'in' operator; " +
        "use Microsoft.Dynamics.CRM.In(PropertyName='accountnumber',PropertyValues=['A','B']).",
    );
    expect(error.position).toBe(14);
  });

  it('is rejected on Finance with a pointer to an or chain', () => {
    expect(financeFailure("CustomerAccount in ('US-001','US-002')").message).toContain(
      "unsupported operator 'in' at position 16. Finance and Operations has no 'in' operator; chain 'or' comparisons instead: " +
        "CustomerAccount eq 'A' or CustomerAccount eq 'B'.",
    );
  });

  it('works when a dialect enables it', () => {
    expect(sales("accountnumber in ('A1','a3')", { ...salesDialect, inOperator: true })).toEqual([
      'A1',
      'A3',
    ]);
  });
});

describe('$filter errors a person can act on', () => {
  it.each([
    ["nmae eq 'x'", "Could not find a property named 'nmae' on type 'account'."],
    ["Name eq 'x'", "Property names are case-sensitive: did you mean 'name'?"],
    [
      "numberofemployees eq '5'",
      "Found operand types 'Edm.Int32' and 'Edm.String' for operator kind 'Equal' at position 18. Write numbers without quotes.",
    ],
    [`_parentcustomerid_value eq '${P1}'`, 'Write GUIDs without quotes'],
    ['_parentcustomerid_value eq 42', "Found operand types 'Edm.Guid' and 'Edm.Int32'"],
    ["donotemail eq 'true'", 'Write true or false without quotes.'],
    ["modifiedon gt '2024-01-01'", 'Write dates without quotes'],
    ['name gt 5', "Found operand types 'Edm.String' and 'Edm.Int32' for operator kind 'GreaterThan'"],
    ['name', 'The $filter expression must evaluate to Edm.Boolean, but it evaluates to Edm.String.'],
    ["not name eq 'x'", "'not' applies to the operand right after it: write not (a eq b)."],
    [
      "name eq 'x' and numberofemployees",
      "The 'and' operator needs Edm.Boolean operands, but the operand at position 16 is Edm.Int32.",
    ],
    ['contains(name)', "The function 'contains' at position 0 takes 2 argument(s), got 1."],
    [
      "contains(numberofemployees,'1')",
      'expects Edm.String as argument 1, but the argument at position 9 is Edm.Int32',
    ],
    ['year(name) eq 2024', 'expects Edm.DateTimeOffset or Edm.Date as argument 1'],
    ["substringof('a',name)", "substringof is OData v3; use contains(Property,'text')."],
    ['foo(name)', "Unknown function 'foo' in $filter. Supported: contains, startswith, endswith"],
    [
      'numberofemployees add 1 eq 2',
      "unsupported operator 'add' at position 18. Dataverse does not support arithmetic operators",
    ],
    ["name has 'x'", "unsupported operator 'has' at position 5"],
    ["primarycontactid/fullname eq 'x'", "navigation paths and lambda operators ('/') are not supported"],
    ['name eq "x"', 'string literals are enclosed in single quotes'],
    ['modifiedon ge 2024-13-01', "'2024-13-01' is not a valid date or DateTimeOffset literal"],
    ['foundedon eq 2023-02-29', "'2023-02-29' is not a valid date"],
    [
      'modifiedon ge 2024-01-01T10:00:00 01:00',
      "needs a time zone: 'Z' or an offset such as +01:00 (encode '+' as %2B in a URL)",
    ],
    [
      "donotemail eq Microsoft.Dynamics.DataEntities.NoYes'Yes'",
      "Found operand types 'Edm.Boolean' and 'Microsoft.Dynamics.DataEntities.NoYes'",
    ],
  ])('rejects %s', (filter, message) => {
    expect(failure(filter).message).toContain(message);
  });

  it.each([
    ['name eq', 7, "expected a value after 'eq', found end of input"],
    ["name eq 'abc", 8, 'unterminated string literal (a quote inside a literal is written twice)'],
    ["(name eq 'a'", 12, "expected ')' to close the '(' at position 0, found end of input"],
    ["name eq 'a')", 11, "expected an operator or the end of the expression, found ')'"],
    [
      "name eq 'a' AND donotemail",
      12,
      "expected an operator or the end of the expression, found 'AND' (operators are lower-case: 'and')",
    ],
    [
      "name == 'a'",
      5,
      "expected an operator or the end of the expression, found '=' (operators are words: eq ne gt ge lt le and or not)",
    ],
    ["name eq 'a' and", 15, "expected a value after 'and', found end of input"],
    ["eq 'a'", 0, "expected a value, found 'eq'"],
    ["name eq 'a' 'b'", 12, "expected an operator or the end of the expression, found 'b'"],
    ['10abc eq numberofemployees', 0, "'10abc' is not a valid literal"],
    [`_parentcustomerid_value eq ${P1}0`, 27, `'${P1}0' is not a valid literal`],
    ["contains(name 'a')", 14, "expected ',' or ')' in the arguments of 'contains', found 'a'"],
    ['numberofemployees eq -', 21, "'-' is only allowed in negative numbers; subtraction is written 'sub'"],
    [
      "Microsoft.Dynamics.CRM.In(PropertyName='name' PropertyValues=['a'])",
      46,
      "expected ',' or ')' in the parameters of 'Microsoft.Dynamics.CRM.In', found 'PropertyValues'",
    ],
  ])('reports a syntax error in %s at position %i', (filter, position, detail) => {
    const error = failure(filter);
    expect(error.message).toBe(`Syntax error at position ${position} in '$filter': ${detail}.`);
    expect(error.position).toBe(position);
  });

  it.each([
    ['an empty filter', ''],
    ['a blank filter', '   '],
  ])('rejects %s', (_, filter) => {
    expect(failure(filter).message).toBe('The $filter expression is empty.');
  });
});

describe('$filter limits on pathological input', () => {
  const depthMessage = `nested more than ${maxFilterDepth} levels deep`;

  it('accepts nesting up to the depth limit', () => {
    const depth = maxFilterDepth - 1;
    expect(sales(`${'('.repeat(depth)}accountnumber eq 'A1'${')'.repeat(depth)}`)).toEqual(['A1']);
  });

  it.each([
    ['deep parentheses', `${'('.repeat(maxFilterDepth + 1)}name eq 'a'${')'.repeat(maxFilterDepth + 1)}`],
    ['thousands of unclosed parentheses', '('.repeat(20_000)],
    ['a long not chain', `${'not '.repeat(5000)}donotemail`],
    ['deeply nested function calls', `${'tolower('.repeat(500)}name${')'.repeat(500)} eq 'a'`],
    ['a long comparison chain', `donotemail${' eq true'.repeat(500)}`],
  ])('rejects %s with a QueryOptionError instead of overflowing the stack', (_, filter) => {
    expect(failure(filter).message).toContain(depthMessage);
  });

  it('rejects a long arithmetic chain on Finance', () => {
    expect(financeFailure(`CreditLimit${' add 1'.repeat(500)} gt 0`).message).toContain(depthMessage);
  });

  it('rejects a filter longer than the URL limit allows', () => {
    const filter = `name eq '${'x'.repeat(maxFilterLength)}'`;
    expect(failure(filter).message).toBe(
      `The $filter expression is ${filter.length} characters long; the limit is ${maxFilterLength}.`,
    );
  });
});

describe('batched key lookups', () => {
  const customers = (names: string[]): Row[] =>
    names.map((name, i) => ({ accountid: `00000000-0000-0000-0000-00000000000${i}`, name }));
  const rows = customers(['Müller GmbH', 'Strasse AG', 'ACME', 'acme corp', 'Muller GmbH']);
  const match = (filter: string): unknown[] => {
    const expr = parseFilter(filter, accounts, salesDialect);
    return rows.filter((row) => evaluateFilter(expr, row)).map((row) => row['name']);
  };

  it.each([
    [
      "Microsoft.Dynamics.CRM.In(PropertyName='name',PropertyValues=['MÜLLER GMBH','acme'])",
      ['Müller GmbH', 'ACME'],
    ],
    ["name eq 'MÜLLER GMBH' or name eq 'acme'", ['Müller GmbH', 'ACME']],
    [
      "Microsoft.Dynamics.CRM.In(PropertyName='name',PropertyValues=['Straße AG'])",
      rows
        .filter(
          (r) =>
            new Intl.Collator('en', { sensitivity: 'accent' }).compare(String(r['name']), 'Straße AG') === 0,
        )
        .map((r) => r['name']),
    ],
    ["name eq 'Muller GmbH' or name eq 'nobody'", ['Muller GmbH']],
  ])('answers %s exactly as comparing key by key would', (filter, expected) => {
    expect(match(filter)).toEqual(expected);
  });
});
