import { describe, expect, it } from 'vitest';
import { createODataClient } from '../../../src/connectors/odata/client.js';
import { enumLiteral, keyPredicate } from '../../../src/connectors/odata/literals.js';
import {
  and,
  anyOf,
  buildQuery,
  chunkByUrlLength,
  crmIn,
  eq,
  ne,
  not,
  or,
} from '../../../src/connectors/odata/query.js';

const tricky = "O'Brien & Sons #1";

describe('literal escaping and query building', () => {
  it('encodes quotes as fetch would put them on the wire, and what would break the URL', () => {
    expect(buildQuery({ filter: eq('name', tricky) })).toMatchInlineSnapshot(
      `"$filter=name%20eq%20%27O%27%27Brien%20%26%20Sons%20%231%27"`,
    );
  });

  it('builds a Sales query with select, CRM.In and orderby', () => {
    const sales = createODataClient({
      system: 'sales',
      serviceRoot: 'https://org.crm.dynamics.com/api/data/v9.2',
    });
    const url = sales.urlFor(
      'accounts',
      buildQuery({
        select: ['accountid', 'name', 'accountnumber'],
        filter: and(crmIn('accountnumber', [tricky, 'A+B']), eq('statecode', 0)),
        orderby: 'name asc',
        count: true,
      }),
    );
    expect(url).toMatchInlineSnapshot(
      `"https://org.crm.dynamics.com/api/data/v9.2/accounts?$select=accountid,name,accountnumber&$filter=Microsoft.Dynamics.CRM.In(PropertyName=%27accountnumber%27,PropertyValues=%5B%27O%27%27Brien%20%26%20Sons%20%231%27,%27A%2BB%27%5D)%20and%20statecode%20eq%200&$orderby=name%20asc&$count=true"`,
    );
  });

  it('builds a Finance cross-company query with an or chain and an enum literal', () => {
    const finance = createODataClient({
      system: 'finance',
      serviceRoot: 'https://env.operations.dynamics.com/data/',
    });
    const url = finance.urlFor(
      'CustomersV3',
      buildQuery({
        crossCompany: true,
        select: ['CustomerAccount', 'OrganizationName'],
        filter: and(
          eq('dataAreaId', 'usmf'),
          anyOf('OrganizationName', [tricky, '50% off']),
          ne('IsExternallyMaintained', enumLiteral('NoYes', 'No')),
        ),
        orderby: ['dataAreaId', 'CustomerAccount'],
        top: 100,
        skip: 200,
      }),
    );
    expect(url).toMatchInlineSnapshot(
      `"https://env.operations.dynamics.com/data/CustomersV3?cross-company=true&$select=CustomerAccount,OrganizationName&$filter=dataAreaId%20eq%20%27usmf%27%20and%20(OrganizationName%20eq%20%27O%27%27Brien%20%26%20Sons%20%231%27%20or%20OrganizationName%20eq%20%2750%25%20off%27)%20and%20IsExternallyMaintained%20ne%20Microsoft.Dynamics.DataEntities.NoYes%27No%27&$orderby=dataAreaId,CustomerAccount&$top=100&$skip=200"`,
    );
  });

  it('writes key predicates for GUIDs, alternate keys and composite keys', () => {
    expect(keyPredicate({ guid: '4B757FF7-9C85-EE11-8179-000D3A341198' })).toMatchInlineSnapshot(
      `"(4b757ff7-9c85-ee11-8179-000d3a341198)"`,
    );
    expect(keyPredicate({ accountnumber: tricky })).toMatchInlineSnapshot(
      `"(accountnumber='O''Brien%20%26%20Sons%20%231')"`,
    );
    expect(keyPredicate({ dataAreaId: 'usmf', CustomerAccount: 'US-001' })).toMatchInlineSnapshot(
      `"(dataAreaId='usmf',CustomerAccount='US-001')"`,
    );
  });

  it('nests or inside and with parentheses, and leaves out empty clauses', () => {
    expect(and(or(eq('a', 1), eq('a', 2)), undefined, eq('b', true))).toBe(
      '(a eq 1 or a eq 2) and b eq true',
    );
    expect(or(eq('a', 1))).toBe('a eq 1');
    expect(not(eq('a', null))).toBe('not (a eq null)');
    expect(and()).toBe('');
  });

  it('leaves out parameters that are not set', () => {
    expect(buildQuery({})).toBe('');
    expect(buildQuery({ select: [], count: false, extra: { $apply: undefined, 'api-version': 2 } })).toBe(
      '$count=false&api-version=2',
    );
  });

  it('rejects a negative $top', () => {
    expect(() => buildQuery({ top: -1 })).toThrow(RangeError);
  });
});

describe('chunkByUrlLength', () => {
  const finance = createODataClient({
    system: 'finance',
    serviceRoot: 'https://env.operations.dynamics.com/data/',
  });
  const keys = Array.from({ length: 500 }, (_, i) => `US-${String(i).padStart(4, '0')}`);
  const render = (group: readonly string[]) =>
    finance.urlFor(
      'CustomersV3',
      buildQuery({ crossCompany: true, filter: anyOf('CustomerAccount', group) }),
    );

  it('keeps every key in one request while the URL fits', () => {
    const groups = chunkByUrlLength(keys.slice(0, 20), render, finance.maxUrlLength);
    expect(groups).toEqual([keys.slice(0, 20)]);
  });

  it('splits beyond the limit into the fewest groups that each fit, keeping order', () => {
    const groups = chunkByUrlLength(keys, render, finance.maxUrlLength);
    expect(groups.length).toBeGreaterThan(1);
    expect(groups.flat()).toEqual(keys);
    for (const group of groups) expect(render(group).length).toBeLessThanOrEqual(finance.maxUrlLength);
    // Greedy: each group but the last would overflow with one more key.
    for (const [i, group] of groups.slice(0, -1).entries()) {
      expect(render([...group, groups[i + 1]![0]!]).length).toBeGreaterThan(finance.maxUrlLength);
    }
  });

  it('finds the largest group that fits however unequal the keys are in length', () => {
    // Short keys first, then long ones: a guess from the average length is wrong both ways.
    const unequal = [
      ...Array.from({ length: 300 }, (_, i) => `K${i}`),
      ...Array.from({ length: 300 }, (_, i) => `${'LONG-'.repeat(12)}${i}`),
    ];
    const groups = chunkByUrlLength(unequal, render, finance.maxUrlLength);
    expect(groups.flat()).toEqual(unequal);
    for (const [i, group] of groups.entries()) {
      expect(render(group).length).toBeLessThanOrEqual(finance.maxUrlLength);
      const next = groups[i + 1]?.[0];
      if (next !== undefined) expect(render([...group, next]).length).toBeGreaterThan(finance.maxUrlLength);
    }
  });

  it('splits a Sales CRM.In lookup at the Sales limit', () => {
    const sales = createODataClient({
      system: 'sales',
      serviceRoot: 'https://org.crm.dynamics.com/api/data/v9.2/',
    });
    const many = Array.from({ length: 4000 }, (_, i) => `ACC-${String(i).padStart(5, '0')}`);
    const salesRender = (group: readonly string[]) =>
      sales.urlFor('accounts', buildQuery({ filter: crmIn('accountnumber', group) }));
    const groups = chunkByUrlLength(many, salesRender, sales.maxUrlLength);
    // 4,000 keys × 16 characters (quotes encoded as %27) is about 64 KB of filter: two requests under 32 KB each.
    expect(groups.map((group) => group.length)).toEqual([2039, 1961]);
    expect(groups.flat()).toEqual(many);
    for (const group of groups) expect(salesRender(group).length).toBeLessThanOrEqual(32_768);
  });

  it('returns no groups for no keys, and refuses a key that cannot fit alone', () => {
    expect(chunkByUrlLength([], render, 100)).toEqual([]);
    expect(() => chunkByUrlLength(['x'.repeat(200)], render, 100)).toThrow(/over the limit of 100/);
  });
});
