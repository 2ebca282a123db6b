/**
 * Collection reads whose `$filter` pins properties to literals (key lookups: `p eq 'a'`, `or` chains,
 * CRM `In`, and any of them inside an `and`) are answered from the store's indexes, and the answer is
 * exactly the scan's: same rows, same order, same pages. Anything the index cannot answer exactly (text
 * a collator equates differently, F&O wildcards, other operators and types) falls back to the scan.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  observeSelections,
  parseCollectionQuery,
  type SelectionTrace,
  selectionSettings,
  selectRows,
} from '../../src/simulators/core/collection.js';
import {
  type FilterDialect,
  financeDialect,
  parseFilter,
  salesDialect,
} from '../../src/simulators/core/filter/index.js';
import { planLookup } from '../../src/simulators/core/filter/lookup-plan.js';
import type { EntitySetDef, Row } from '../../src/simulators/core/model.js';
import { createStore, scanSource, type Store } from '../../src/simulators/core/store.js';
import { createFinanceSimulator, type FinanceSimulator } from '../../src/simulators/finance/index.js';
import { contacts } from '../../src/simulators/sales/entities.js';
import { createSalesSimulator, type SalesSimulator } from '../../src/simulators/sales/index.js';
import { accounts } from '../support/entity-sets.js';
import { financeData, guid, rowOf, salesAccounts, salesContacts } from '../support/fixtures.js';
import { call, tokenFor } from '../support/wire.js';

/** An F&O-like set: composite key, company column, an enum. */
const customers: EntitySetDef = {
  name: 'Customers',
  entityType: 'Customer',
  key: ['dataAreaId', 'CustomerAccount'],
  properties: {
    dataAreaId: { type: 'Edm.String' },
    CustomerAccount: { type: 'Edm.String' },
    Name: { type: 'Edm.String' },
    Blocked: { type: 'Edm.String', enumType: 'NoYes', enumMembers: ['No', 'Yes'] },
  },
};

const ACCOUNTS = 200;
const accountNumber = (n: number): string => `ACC-${String(n).padStart(5, '0')}`;

/**
 * 200 accounts inserted out of key order (so scan order is not key order), numbers in mixed case, 100
 * sharing one name, 10 per parent; then rows a case-folding index alone would get wrong: a full-width
 * and a soft-hyphenated account number (a collator equates both with ACC-00007 / ACC-00008), 'Firm'
 * (which the ligature 'ﬁrm' collates equal to), 'STRASSE' and 'Straße', and a null number.
 */
function salesStore(): Store {
  const store = createStore([accounts]);
  for (let i = 0; i < ACCOUNTS; i++) {
    const n = ((i * 73) % ACCOUNTS) + 1;
    store.insert('accounts', {
      accountid: guid(n),
      accountnumber: n % 3 === 0 ? accountNumber(n).toLowerCase() : accountNumber(n),
      name: n % 2 === 0 ? 'Shared name' : `Account ${n}`,
      _parentcustomerid_value: guid(1000 + (n % 20)),
      creditlimit: `${n % 7}00.50`,
      donotemail: n % 5 === 0,
    });
  }
  const extra: Row[] = [
    { accountnumber: 'ＡＣＣ-00007', name: 'Full width' },
    { accountnumber: 'ACC\u00ad-00008', name: 'Soft hyphen' },
    { accountnumber: 'X-1', name: 'Firm' },
    { accountnumber: 'X-2', name: 'STRASSE' },
    { accountnumber: 'X-3', name: 'Straße' },
    { accountnumber: null, name: 'No number' },
  ];
  extra.forEach((row, i) => store.insert('accounts', { accountid: guid(500 + i), ...row }));
  return store;
}

/**
 * Two companies; in usmf, 'ＺＺ-1' and 'zz-1' are different keys to the store but equal to the collator,
 * so they tie in key order and the scan's order decides which comes first.
 */
function financeStore(): Store {
  const store = createStore([customers]);
  store.insert('Customers', { dataAreaId: 'usmf', CustomerAccount: 'ＺＺ-1', Name: 'Wide', Blocked: 'No' });
  for (let n = 1; n <= 120; n++) {
    store.insert('Customers', {
      dataAreaId: n % 10 === 0 ? 'demf' : 'usmf',
      CustomerAccount: accountNumber(n),
      Name: `Customer ${n % 4}`,
      Blocked: n % 2 === 0 ? 'Yes' : 'No',
    });
  }
  store.insert('Customers', { dataAreaId: 'USMF', CustomerAccount: 'zz-1', Name: 'Narrow', Blocked: 'No' });
  return store;
}

interface Comparison {
  indexed: Row[];
  scanned: Row[];
  traces: SelectionTrace[];
}

/** Selects with the indexes and without them (same store, same snapshot), recording both traces. */
function compare(
  store: Store,
  set: EntitySetDef,
  dialect: FilterDialect,
  options: Record<string, string>,
): Comparison {
  const query = parseCollectionQuery(new URLSearchParams(options), set, store, dialect);
  const traces: SelectionTrace[] = [];
  const stop = observeSelections((trace) => traces.push(trace));
  try {
    const snapshot = store.scan(set.name);
    const indexed = selectRows(snapshot, set, query);
    selectionSettings.useIndexes = false;
    const scanned = selectRows(snapshot, set, query);
    return { indexed, scanned, traces };
  } finally {
    selectionSettings.useIndexes = true;
    stop();
  }
}

/** The same row objects in the same order (not merely equal-looking rows). */
function expectSameRows({ indexed, scanned }: Comparison): void {
  expect(indexed.length).toBe(scanned.length);
  indexed.forEach((row, i) => expect(row).toBe(scanned[i]));
}

const numbersOf = (rows: Row[]): unknown[] => rows.map((r) => r['accountnumber']);

afterEach(() => {
  selectionSettings.useIndexes = true;
});

describe('indexed $filter: shapes answered from the index', () => {
  const store = salesStore();
  const total = store.count('accounts');
  const inList = (property: string, values: string[]): string =>
    `Microsoft.Dynamics.CRM.In(PropertyName='${property}',PropertyValues=[${values.map((v) => `'${v}'`).join(',')}])`;

  // [shape, filter, rows matched, rows evaluated: the index hits plus the rows whose value is not
  // printable ASCII (two account numbers: full-width, soft hyphen), which the index always hands over].
  it.each([
    ['p eq literal', "accountnumber eq 'ACC-00005'", 1, 3],
    ['p eq literal, in another case than stored', "accountnumber eq 'acc-00005'", 1, 3],
    ['p eq literal, stored lower-case and asked upper-case', "accountnumber eq 'ACC-00006'", 1, 3],
    ['literal eq p', "'ACC-00011' eq accountnumber", 1, 3],
    ['p eq literal matching nothing', "accountnumber eq 'NO-SUCH'", 0, 2],
    ['a GUID key', `accountid eq ${guid(42)}`, 1, 1],
    ['a GUID lookup shared by several rows', `_parentcustomerid_value eq ${guid(1003)}`, 10, 10],
    [
      'an or chain on one property, mixed case, a miss and a duplicate',
      "accountnumber eq 'ACC-00001' or accountnumber eq 'acc-00002' or accountnumber eq 'NOPE' or accountnumber eq 'ACC-00001'",
      2,
      4,
    ],
    [
      'a parenthesised or chain',
      "(accountnumber eq 'ACC-00010' or accountnumber eq 'ACC-00020') or accountnumber eq 'ACC-00030'",
      3,
      5,
    ],
    ['CRM In on a string', inList('accountnumber', ['ACC-00003', 'acc-00004', 'ACC-99999']), 2, 4],
    ['CRM In on a GUID lookup', inList('_parentcustomerid_value', [guid(1001), guid(1002)]), 20, 20],
    ['CRM In matching nothing', inList('accountnumber', ['NONE-1', 'NONE-2']), 0, 2],
    [
      'and with an or chain (the company pattern)',
      "name eq 'Shared name' and (accountnumber eq 'ACC-00002' or accountnumber eq 'ACC-00003' or accountnumber eq 'ACC-00004')",
      2,
      5,
    ],
    [
      'and with CRM In and a condition the index cannot serve',
      `${inList('accountnumber', ['ACC-00010', 'ACC-00011', 'ACC-00012'])} and donotemail eq true`,
      1,
      5,
    ],
    ['and with a range on the other side', "accountnumber eq 'ACC-00050' and creditlimit gt 0", 1, 3],
    ['nested and', "(creditlimit ge 0 and accountnumber eq 'ACC-00060') and name ne 'x'", 1, 3],
    [
      'an or across two properties (a union of two lookups)',
      `accountnumber eq 'ACC-00070' or _parentcustomerid_value eq ${guid(1005)}`,
      11,
      13,
    ],
  ])('%s: %s', (_, filter, matches, evaluated) => {
    const result = compare(store, accounts, salesDialect, { $filter: filter });
    expectSameRows(result);
    expect(result.indexed).toHaveLength(matches);
    expect(result.traces).toEqual([
      { set: 'accounts', access: 'index', rows: total, evaluated, matched: matches },
      { set: 'accounts', access: 'scan', rows: total, evaluated: total, matched: matches },
    ]);
  });

  it('finds rows whose stored text only a collator equates with the literal (full-width, soft hyphen)', () => {
    const result = compare(store, accounts, salesDialect, {
      $filter: "accountnumber eq 'ACC-00007' or accountnumber eq 'ACC-00008'",
    });
    expectSameRows(result);
    expect(result.traces[0]!.access).toBe('index');
    expect(numbersOf(result.indexed).sort()).toEqual(
      ['ACC-00007', 'ACC-00008', 'ACC\u00ad-00008', 'ＡＣＣ-00007'].sort(),
    );
  });

  it('keeps $orderby, with ties broken by the key, as the scan does', () => {
    const result = compare(store, accounts, salesDialect, {
      $filter: inList('_parentcustomerid_value', [guid(1004), guid(1006)]),
      $orderby: 'creditlimit desc,name',
    });
    expectSameRows(result);
    expect(result.traces[0]!.access).toBe('index');
    expect(result.indexed).toHaveLength(20);
  });

  it('uses the cheapest operand of an and: the selective lookup, not the shared name', () => {
    const result = compare(store, accounts, salesDialect, {
      $filter: "name eq 'Shared name' and accountnumber eq 'ACC-00100'",
    });
    expectSameRows(result);
    // One hit and the two non-ASCII account numbers, rather than the hundred rows sharing the name.
    expect(result.traces[0]).toMatchObject({ access: 'index', evaluated: 3, matched: 1 });
  });

  it('follows updates made after the snapshot was taken: the snapshot holds the live rows', () => {
    const local = salesStore();
    const query = parseCollectionQuery(
      new URLSearchParams({ $filter: "accountnumber eq 'NEW-1' or accountnumber eq 'ACC-00009'" }),
      accounts,
      local,
      salesDialect,
    );
    const snapshot = local.scan('accounts');
    local.update('accounts', { accountid: guid(9) }, { accountnumber: 'new-1' });
    const traces: SelectionTrace[] = [];
    const stop = observeSelections((t) => traces.push(t));
    const indexed = selectRows(snapshot, accounts, query);
    stop();
    expect(traces[0]!.access).toBe('index');
    expect(numbersOf(indexed)).toEqual(['new-1']);
  });
});

describe('indexed $filter: fallbacks to the scan, with the same answer', () => {
  const store = salesStore();

  it.each([
    ['a non-ASCII literal (ß)', "name eq 'Straße'"],
    ['a non-ASCII literal in an or chain', "name eq 'STRASSE' or name eq 'Straße'"],
    [
      'a non-ASCII literal in CRM In',
      "Microsoft.Dynamics.CRM.In(PropertyName='name',PropertyValues=['ß','x'])",
    ],
    ['ne', "accountnumber ne 'ACC-00001'"],
    ['not', "not (accountnumber eq 'ACC-00001')"],
    ['CRM NotIn', "Microsoft.Dynamics.CRM.NotIn(PropertyName='accountnumber',PropertyValues=['ACC-00001'])"],
    ['an or with a function', "accountnumber eq 'ACC-00001' or startswith(name,'Account 1')"],
    ['an or on a non-literal', "accountnumber eq 'ACC-00001' or accountnumber eq name"],
    ['a comparison of two properties', 'accountnumber eq name'],
    ['eq null', 'accountnumber eq null'],
    ['a decimal (1.5 equals 1.50)', 'creditlimit eq 300.5'],
    ['a boolean', 'donotemail eq true'],
    ['a lookup matching more than a quarter of the rows', "name eq 'Shared name'"],
    ['an and whose operands have no plan', 'creditlimit gt 100 and donotemail eq false'],
  ])('%s: %s', (_, filter) => {
    const result = compare(store, accounts, salesDialect, { $filter: filter });
    expectSameRows(result);
    expect(result.traces.map((t) => t.access)).toEqual(['scan', 'scan']);
  });

  it('falls back for a ligature literal, which a case-folding index would miss', () => {
    const result = compare(store, accounts, salesDialect, { $filter: "name eq 'ﬁrm'" });
    expectSameRows(result);
    expect(result.traces[0]!.access).toBe('scan');
    expect(result.indexed.map((r) => r['name'])).toEqual(['Firm']);
  });

  it('falls back for ß and answers as the collator does', () => {
    const result = compare(store, accounts, salesDialect, { $filter: "name eq 'straße'" });
    expectSameRows(result);
    expect(result.traces[0]!.access).toBe('scan');
    // Whether ß also equals ss is the collator's call (ICU versions differ); the scan makes it either way.
    expect(result.indexed.map((r) => r['name'])).toContain('Straße');
  });

  it('scans a copy or a subset of the rows, and a snapshot taken before a row joined or left', () => {
    const local = salesStore();
    const query = parseCollectionQuery(
      new URLSearchParams({ $filter: "accountnumber eq 'ACC-00001'" }),
      accounts,
      local,
      salesDialect,
    );
    const traces: SelectionTrace[] = [];
    const stop = observeSelections((t) => traces.push(t));
    const snapshot = local.scan('accounts');
    selectRows([...snapshot], accounts, query);
    selectRows(
      snapshot.filter((r) => r['donotemail'] !== true),
      accounts,
      query,
    );
    local.remove('accounts', { accountid: guid(1) });
    const stale = selectRows(snapshot, accounts, query);
    stop();
    expect(traces.map((t) => t.access)).toEqual(['scan', 'scan', 'scan']);
    // The stale snapshot still answers from its own rows.
    expect(numbersOf(stale)).toEqual(['ACC-00001']);
    expect(scanSource(local.scan('accounts'))).toMatchObject({ set: 'accounts' });
  });
});

describe('indexed $filter: F&O shapes', () => {
  const store = financeStore();

  it.each([
    "dataAreaId eq 'usmf' and (CustomerAccount eq 'ACC-00001' or CustomerAccount eq 'acc-00002' or CustomerAccount eq 'ACC-00010')",
    "(CustomerAccount eq 'ACC-00005' or CustomerAccount eq 'ACC-00015') and dataAreaId eq 'usmf'",
    "dataAreaId eq 'demf'",
    "dataAreaId eq 'demf' and CustomerAccount eq '*1*'",
    "CustomerAccount eq 'ZZ-1'",
    "CustomerAccount eq 'zz-1' and dataAreaId eq 'usmf'",
  ])('answers %s from the index', (filter) => {
    const result = compare(store, customers, financeDialect, {
      $filter: filter,
      $orderby: 'Name desc',
    });
    expectSameRows(result);
    expect(result.traces[0]!.access).toBe('index');
  });

  it.each([
    ['a wildcard', "CustomerAccount eq '*0001*'"],
    ['a trailing wildcard', "CustomerAccount eq 'ACC-0000*'"],
    ['a wildcard in an or chain', "CustomerAccount eq 'ACC-00001' or CustomerAccount eq 'ACC-0002*'"],
    ['a wildcard beside a company that holds most rows', "dataAreaId eq 'usmf' and CustomerAccount eq '*7'"],
    ['an enum', "Blocked eq Microsoft.Dynamics.DataEntities.NoYes'Yes'"],
  ])('scans for %s: %s', (_, filter) => {
    const result = compare(store, customers, financeDialect, { $filter: filter });
    expectSameRows(result);
    expect(result.indexed.length).toBeGreaterThan(0);
    expect(result.traces[0]!.access).toBe('scan');
  });

  it('never reads a wildcard as a literal to look up', () => {
    const plan = planLookup(parseFilter("CustomerAccount eq '*0001*'", customers, financeDialect), () => 0);
    expect(plan).toBeUndefined();
  });

  it('keeps the scan order where keys tie under the collator, also after a rolled-back delete moves a row', () => {
    const local = financeStore();
    const options = { $filter: "CustomerAccount eq 'ZZ-1'" };
    const before = compare(local, customers, financeDialect, options);
    expectSameRows(before);
    expect(before.traces[0]!.access).toBe('index');
    expect(before.indexed.map((r) => r['Name'])).toEqual(['Wide', 'Narrow']);

    // Undoing a delete puts the row back at the end of the scan.
    expect(() =>
      local.transaction(() => {
        local.remove('Customers', { dataAreaId: 'usmf', CustomerAccount: 'ＺＺ-1' });
        throw new Error('roll back');
      }),
    ).toThrow('roll back');
    const after = compare(local, customers, financeDialect, options);
    expectSameRows(after);
    expect(after.traces[0]!.access).toBe('index');
    expect(after.indexed.map((r) => r['Name'])).toEqual(['Narrow', 'Wide']);
  });
});

describe('store.candidates', () => {
  it('returns index hits and non-ASCII values in scan order, each once, following writes and undo', () => {
    const store = createStore([accounts]);
    const add = (n: number, accountnumber: string | null): void => {
      store.insert('accounts', { accountid: guid(n), accountnumber });
    };
    add(3, 'B');
    add(1, 'a');
    add(2, 'Ａ');
    add(4, 'A');
    const ids = (rows: Row[]): unknown[] => rows.map((r) => r['accountid']);
    const probe = [{ property: 'accountnumber', values: ['A', 'a'] }];
    expect(ids(store.candidates('accounts', probe))).toEqual([guid(1), guid(2), guid(4)]);
    expect(store.countCandidates('accounts', probe)).toBe(3);

    store.update('accounts', { accountid: guid(3) }, { accountnumber: 'a' });
    store.update('accounts', { accountid: guid(2) }, { accountnumber: 'C' });
    expect(ids(store.candidates('accounts', probe))).toEqual([guid(3), guid(1), guid(4)]);

    expect(() =>
      store.transaction(() => {
        store.remove('accounts', { accountid: guid(1) });
        add(5, 'a');
        throw new Error('undo');
      }),
    ).toThrow('undo');
    expect(ids(store.candidates('accounts', probe))).toEqual([guid(3), guid(4), guid(1)]);
    expect(ids(store.scan('accounts'))).toEqual([guid(3), guid(2), guid(4), guid(1)]);
  });
});

describe('indexed $filter on the wire: pages are the same with and without the index', () => {
  let sales: SalesSimulator;
  let finance: FinanceSimulator;
  let salesToken: string;
  let financeToken: string;
  const traces: SelectionTrace[] = [];
  let stop = (): void => undefined;

  beforeAll(async () => {
    const people = Array.from({ length: 60 }, (_, i) =>
      rowOf(contacts, {
        contactid: guid(200 + i),
        lastname: `Person ${i % 4}`,
        _parentcustomerid_value: guid((i % 6) + 1),
        msdynce_contactnumber: `CON-9${String(i).padStart(4, '0')}`,
      }),
    );
    sales = createSalesSimulator({
      data: { accounts: salesAccounts(80), contacts: [...salesContacts(), ...people] },
      pageSize: 4,
    });
    finance = createFinanceSimulator({ data: financeData(80), pageSize: 3 });
    await Promise.all([sales.listen(), finance.listen()]);
    [salesToken, financeToken] = await Promise.all([tokenFor(sales), tokenFor(finance)]);
    stop = observeSelections((trace) => traces.push(trace));
  });
  afterAll(async () => {
    stop();
    await Promise.all([sales.close(), finance.close()]);
  });

  /** Every page of a read, following next links, as parsed bodies. */
  async function pages(
    server: SalesSimulator | FinanceSimulator,
    token: string,
    path: string,
    headers: Record<string, string> = {},
  ): Promise<unknown[]> {
    const bodies: unknown[] = [];
    let url: string | undefined = path;
    while (url) {
      const response = await call(server, token, 'GET', url, { headers });
      expect(response.status).toBe(200);
      const body = response.json();
      bodies.push(body);
      url = body['@odata.nextLink'];
    }
    return bodies;
  }

  /** Reads with the index, then without it, and returns both with the access each first request used. */
  async function both(
    server: SalesSimulator | FinanceSimulator,
    token: string,
    path: string,
    headers?: Record<string, string>,
  ): Promise<{ indexed: unknown[]; scanned: unknown[]; access: string[] }> {
    traces.length = 0;
    const indexed = await pages(server, token, path, headers);
    const access = traces.map((t) => t.access);
    selectionSettings.useIndexes = false;
    const scanned = await pages(server, token, path, headers);
    selectionSettings.useIndexes = true;
    return { indexed, scanned, access };
  }

  const q = (text: string): string => encodeURIComponent(text);
  const numbers = (from: number, to: number): string[] =>
    Array.from({ length: to - from + 1 }, (_, i) => accountNumber(from + i));

  it('Sales: accountnumber or chain, $orderby, $count, server paging through skip tokens', async () => {
    const filter = numbers(1, 9)
      .map((n, i) => `accountnumber eq '${i % 2 ? n.toLowerCase() : n}'`)
      .join(' or ');
    const result = await both(
      sales,
      salesToken,
      `accounts?$select=accountnumber,name&$filter=${q(filter)}&$orderby=name desc&$count=true`,
    );
    expect(result.indexed).toEqual(result.scanned);
    expect(result.indexed).toHaveLength(3);
    expect(result.access).toEqual(['index', 'index', 'index']);
  });

  it('Sales: CRM In on a lookup column with $top and Prefer: odata.maxpagesize', async () => {
    const filter = `Microsoft.Dynamics.CRM.In(PropertyName='_parentcustomerid_value',PropertyValues=['${guid(2)}','${guid(9)}'])`;
    const result = await both(
      sales,
      salesToken,
      `contacts?$select=lastname,msdynce_contactnumber&$filter=${q(filter)}&$top=7`,
      { Prefer: 'odata.maxpagesize=3' },
    );
    expect(result.indexed).toEqual(result.scanned);
    // Ten contacts of guid(2) in pages of 3 (the simulator lets the page size win over $top).
    expect(result.indexed).toHaveLength(4);
    expect(result.access).toEqual(['index', 'index', 'index', 'index']);
  });

  it('Finance: company and CustomerAccount chain, cross-company, $orderby, $top, $skip paging', async () => {
    const filter = `dataAreaId eq 'usmf' and (${numbers(3, 14)
      .map((n) => `CustomerAccount eq '${n}'`)
      .join(' or ')} or CustomerAccount eq 'DE-001')`;
    const result = await both(
      finance,
      financeToken,
      `CustomersV3?cross-company=true&$select=CustomerAccount,CreditLimit&$filter=${q(filter)}&$orderby=CreditLimit desc&$top=10&$count=true`,
    );
    expect(result.indexed).toEqual(result.scanned);
    expect(result.indexed).toHaveLength(4);
    expect(result.access.every((a) => a === 'index')).toBe(true);
  });

  it('Finance: a wildcard is matched by the scan, not looked up', async () => {
    const result = await both(
      finance,
      financeToken,
      `CustomersV3?cross-company=true&$select=CustomerAccount&$filter=${q("CustomerAccount eq '*0001*'")}`,
    );
    expect(result.indexed).toEqual(result.scanned);
    expect(result.access.every((a) => a === 'scan')).toBe(true);
  });

  it('Finance: without cross-company the behaviour scopes the rows itself, so the read scans', async () => {
    const filter = "CustomerAccount eq 'ACC-00001' or CustomerAccount eq 'ACC-00002'";
    const result = await both(finance, financeToken, `CustomersV3?$filter=${q(filter)}`);
    expect(result.indexed).toEqual(result.scanned);
    expect(result.access).toEqual(['scan']);
  });
});
