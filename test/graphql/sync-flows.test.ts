/**
 * An admin reads exactly what each flow does before running it: `syncFlows` shows the definitions the
 * sync and the drift use, field by field; value maps can be replaced from a file.
 */
import { writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { describeCondition } from '../../src/graphql/resolvers/sync-flows.js';
import { flows } from '../../src/sync/flows/index.js';
import { loadValueMapFile } from '../../src/sync/value-map-file.js';
import { startTestHub, type TestHub } from '../support/hub.js';

const query = `{
  syncFlows {
    name direction dependsOn source { system entitySet } unroutedReason
    eligibility { condition reason }
    routes { condition mapping }
    mappings {
      name target { system entitySet } key { source target }
      fields { field source target transform transformDetail default defaultFrom apply }
      constants { field target value apply }
    }
    children { label mapping parent { source target } eligibility { reason } }
  }
  syncValueMaps { name entries { from to } }
}`;

let hub: TestHub;
beforeAll(async () => {
  hub = await startTestHub({
    accounts: 20,
    valueMaps: { countryNameToIso: { '': 'USA', 'United States': 'USA', Deutschland: 'DEU' } },
  });
});
afterAll(() => hub.close());

describe('syncFlows', () => {
  it('lists the seven flows in run order with their direction and dependencies', async () => {
    const { data, errors } = await hub.graphql(query);
    expect(errors).toBeUndefined();
    const byName = Object.fromEntries(data.syncFlows.map((f: { name: string }) => [f.name, f]));
    expect(Object.keys(byName)).toEqual([
      'ACCOUNTS',
      'PRODUCTS',
      'CONTACTS',
      'QUOTES',
      'ORDERS',
      'ORDER_STATUS',
      'INVOICES',
    ]);
    expect(byName.ACCOUNTS).toMatchObject({ direction: 'SALES_TO_FINANCE', dependsOn: [] });
    expect(byName.PRODUCTS).toMatchObject({ direction: 'FINANCE_TO_SALES', dependsOn: [] });
    expect(byName.CONTACTS.dependsOn).toEqual(['ACCOUNTS']);
    expect([...byName.QUOTES.dependsOn].sort()).toEqual(['ACCOUNTS', 'CONTACTS', 'PRODUCTS']);
    expect([...byName.ORDERS.dependsOn].sort()).toEqual(['ACCOUNTS', 'CONTACTS', 'PRODUCTS']);
    expect(byName.ORDER_STATUS).toMatchObject({ direction: 'FINANCE_TO_SALES', dependsOn: ['ORDERS'] });
    expect(byName.INVOICES).toMatchObject({ direction: 'FINANCE_TO_SALES', dependsOn: ['ORDER_STATUS'] });
  });

  it("shows the orders flow's rules and its discount split, and how order lines name their order", async () => {
    const { data, errors } = await hub.graphql(query);
    expect(errors).toBeUndefined();
    const orders = data.syncFlows.find((f: { name: string }) => f.name === 'ORDERS');
    expect(orders.eligibility).toContainEqual({
      condition: 'msdynce_hasexternallymaintainedproductsonly = true',
      reason: 'order has products not maintained in Finance',
    });
    const line = orders.mappings.find((m: { name: string }) => m.name === 'orderLine');
    expect(line.fields).toContainEqual(
      expect.objectContaining({
        source: 'manualdiscountamount',
        target: 'LineDiscountAmount',
        transform: 'perUnit',
        transformDetail: 'quantity',
      }),
    );
    const status = data.syncFlows.find((f: { name: string }) => f.name === 'ORDER_STATUS');
    expect(status.children.parent).toEqual({ source: 'SalesOrderNumber', target: null });
    // An order entered in Finance is created whole; afterwards only its progress is written.
    const statusFields = (name: string) =>
      Object.fromEntries(
        status.mappings
          .find((m: { name: string }) => m.name === name)
          .fields.map((f: { field: string; apply: string }) => [f.field, f.apply]),
      );
    expect(statusFields('orderStatus')).toMatchObject({
      account: 'ON_CREATE',
      'shipTo.country': 'ON_CREATE',
      status: 'ALWAYS',
      total: 'ALWAYS',
    });
    expect(statusFields('orderLineStatus')).toMatchObject({
      product: 'ON_CREATE',
      status: 'ALWAYS',
      tax: 'ALWAYS',
    });
    const statusLine = status.mappings.find((m: { name: string }) => m.name === 'orderLineStatus');
    expect(statusLine.fields).toContainEqual(
      expect.objectContaining({
        source: 'LineDiscountAmount',
        target: 'manualdiscountamount',
        transform: 'lineTotal',
        transformDetail: 'OrderedSalesQuantity',
      }),
    );
    expect(status.children.eligibility).toEqual([{ reason: 'product not in Sales' }]);
    const invoices = data.syncFlows.find((f: { name: string }) => f.name === 'INVOICES');
    expect(invoices.eligibility).toContainEqual({
      condition: 'SalesOrderNumber is not blank, or invoiceTypes includes freeText (no: not set)',
      reason: 'free-text invoice (not in invoiceTypes)',
    });
  });

  it('shows the accounts mapping field by field, with transforms, defaults and constants', async () => {
    const { data } = await hub.graphql(query);
    const accounts = data.syncFlows.find((f: { name: string }) => f.name === 'ACCOUNTS');
    expect(accounts.source).toEqual({ system: 'SALES', entitySet: 'accounts' });
    expect(accounts.eligibility).toContainEqual({
      condition: 'accountnumber is not blank',
      reason: 'no account number',
    });
    const customer = accounts.mappings[0];
    expect(customer).toMatchObject({
      target: { system: 'FINANCE', entitySet: 'CustomersV3' },
      key: { source: 'accountnumber', target: 'CustomerAccount' },
    });
    expect(customer.fields).toContainEqual(
      expect.objectContaining({ source: 'telephone1', target: 'PrimaryContactPhone' }),
    );
    expect(customer.fields).toContainEqual(
      expect.objectContaining({
        source: 'address1_country',
        target: 'DeliveryAddressCountryRegionISOCode',
        transform: 'valueMap',
        transformDetail: 'countryNameToIso',
        default: 'USA',
      }),
    );
    expect(customer.constants).toContainEqual(
      expect.objectContaining({ target: 'CustomerGroupId', value: '10', apply: 'ON_CREATE' }),
    );
    // Exactly the definition the sync runs: one GraphQL field per mapped field, nothing invented.
    expect(customer.fields).toHaveLength(flows.accounts.mappings[0]!.fields.length);
  });

  it('shows a rule that reads a setting with the values configured now', () => {
    const rule = flows.accounts.eligibility.find((r) => r.require.test === 'inSetting')!;
    expect(describeCondition(rule.require)).toBe(
      'customertypecode: any value (accountRelationshipTypes is not set)',
    );
    expect(describeCondition(rule.require, { accountRelationshipTypes: [3, 9] })).toBe(
      'customertypecode is one of 3, 9 (accountRelationshipTypes)',
    );
  });

  it('shows the quote lines as children with their own rules', async () => {
    const { data } = await hub.graphql(query);
    const quotes = data.syncFlows.find((f: { name: string }) => f.name === 'QUOTES');
    expect(quotes.children).toMatchObject({ label: 'line', mapping: 'quotationLine' });
    expect(quotes.children.eligibility.length).toBeGreaterThan(0);
  });
});

describe('value maps', () => {
  it('serves the maps in force, with a replaced map in place of the default', async () => {
    const { data } = await hub.graphql(query);
    const countries = data.syncValueMaps.find((m: { name: string }) => m.name === 'countryNameToIso');
    expect(countries.entries).toEqual([
      { from: '', to: 'USA' },
      { from: 'United States', to: 'USA' },
      { from: 'Deutschland', to: 'DEU' },
    ]);
    expect(data.syncValueMaps.map((m: { name: string }) => m.name)).toContain('productTypeToSalesCode');
  });

  it('reads a YAML or JSON file and lists every problem in a bad one', () => {
    const dir = tmpdir();
    const good = join(dir, `value-maps-${process.pid}.yaml`);
    writeFileSync(good, 'countryNameToIso:\n  "": USA\n  Deutschland: DEU\n');
    expect(loadValueMapFile(good)).toEqual({ countryNameToIso: { '': 'USA', Deutschland: 'DEU' } });
    const bad = join(dir, `value-maps-${process.pid}.json`);
    writeFileSync(bad, JSON.stringify({ countryNames: { a: 'b' }, productTypeToSalesCode: { Item: [1] } }));
    expect(() => loadValueMapFile(bad)).toThrow(
      /2 problem\(s\)[\s\S]*productTypeToSalesCode\.Item: must be text or a number[\s\S]*countryNames: unknown value map/,
    );
  });
});
