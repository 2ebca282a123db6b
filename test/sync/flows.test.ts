/**
 * The flow definitions are data an admin can review: the four flows of the reference in dependency order,
 * valid, naming the reference's entity sets, with value maps that agree with the demo data's.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  accountBlankCountryIso,
  countryNameToIso,
  financeUnitToSalesUnit,
  productTypeToSalesCode,
  quoteBlankCountryIso,
  salesUnitToFinanceUnit,
} from '../../src/simulators/seed/index.js';
import {
  ACCOUNT_BLANK_COUNTRY,
  CONTACT_BLANK_COUNTRY,
  QUOTE_BLANK_COUNTRY,
  defaultValueMaps,
  flowOrder,
  flows,
  inDependencyOrder,
  validateFlow,
  validateFlows,
  type FlowDefinition,
  type TargetMapping,
} from '../../src/sync/flows/index.js';

describe('flow definitions', () => {
  it('run in dependency order: accounts and products, then contacts, then quotes and orders, then order status, then invoices', () => {
    expect(flowOrder).toEqual([
      'accounts',
      'products',
      'contacts',
      'quotes',
      'orders',
      'orderStatus',
      'invoices',
    ]);
    expect(inDependencyOrder(['invoices', 'orders', 'orderStatus'])).toEqual([
      'orders',
      'orderStatus',
      'invoices',
    ]);
    expect(inDependencyOrder(['quotes', 'contacts', 'accounts'])).toEqual(['accounts', 'contacts', 'quotes']);
    expect(inDependencyOrder(['quotes', 'quotes'])).toEqual(['quotes']);
  });

  it('pass validation: no duplicate or incomplete mapping, every dependency runs first', () => {
    expect(validateFlows(flows)).toEqual([]);
  });

  it.each([
    ['accounts', 'salesToFinance', 'accounts', ['CustomersV3'], 'accountnumber', []],
    [
      'contacts',
      'salesToFinance',
      'contacts',
      ['CustomersV3', 'ContactPersons'],
      'msdynce_contactnumber',
      ['accounts'],
    ],
    ['products', 'financeToSales', 'SellableReleasedProducts', ['products'], 'ProductNumber', []],
    [
      'quotes',
      'salesToFinance',
      'quotes',
      ['SalesQuotationHeadersV2', 'SalesQuotationLines'],
      'quotenumber',
      ['accounts', 'contacts', 'products'],
    ],
  ] as const)(
    '%s goes %s from %s to %j, keyed by %s, after %j',
    (name, direction, source, targets, key, after) => {
      const flow: FlowDefinition = flows[name];
      expect(flow.name).toBe(name);
      expect(flow.direction).toBe(direction);
      expect(flow.source.entity).toBe(source);
      expect(flow.mappings.map((m) => m.target.entity)).toEqual(targets);
      expect(flow.mappings[0]?.key.source).toBe(key);
      expect(flow.dependsOn).toEqual(after);
    },
  );

  it('show an admin source field → target field, transform and default as plain data', () => {
    const [customer] = flows.accounts.mappings;
    const country = customer?.fields.find((f) => f.target === 'DeliveryAddressCountryRegionISOCode');
    expect(JSON.parse(JSON.stringify(country))).toEqual({
      field: 'address.country',
      source: 'address1_country',
      target: 'DeliveryAddressCountryRegionISOCode',
      transform: { kind: 'valueMap', map: 'countryNameToIso' },
      default: 'USA',
      description: "Country name → ISO code; blank → 'USA'",
    });
    expect(customer?.constants).toContainEqual({
      field: 'customerGroup',
      target: 'CustomerGroupId',
      value: '10',
      apply: 'onCreate',
    });
  });
});

describe('value maps', () => {
  it('agree with the ones the demo data was made with', () => {
    expect(defaultValueMaps).toMatchObject({
      countryNameToIso,
      salesUnitToFinanceUnit,
      financeUnitToSalesUnit,
      productTypeToSalesCode,
    });
    // The way back from Finance's country codes is the same map reversed.
    for (const [name, iso] of Object.entries(countryNameToIso)) {
      expect(defaultValueMaps.countryIsoToName[iso]).toBe(name);
    }
    expect(ACCOUNT_BLANK_COUNTRY).toBe(accountBlankCountryIso);
    expect(CONTACT_BLANK_COUNTRY).toBe(accountBlankCountryIso);
    expect(QUOTE_BLANK_COUNTRY).toBe(quoteBlankCountryIso);
  });
});

describe('validation of a definition', () => {
  const customer = flows.accounts.mappings[0] as TargetMapping;
  const withMapping = (mapping: TargetMapping, changes: Partial<FlowDefinition> = {}): FlowDefinition => ({
    ...flows.accounts,
    mappings: [mapping],
    ...changes,
  });
  const [first, second] = customer.fields;
  if (!first || !second) throw new Error('the customer mapping has fields');

  it.each<[string, FlowDefinition, string]>([
    [
      'a target mapped twice',
      withMapping({ ...customer, fields: [...customer.fields, { ...second, field: 'again' }] }),
      'accounts.customer: target OrganizationName is mapped twice',
    ],
    [
      'a unified field name used twice',
      withMapping({ ...customer, fields: [...customer.fields, { ...second, target: 'PersonFirstName' }] }),
      'accounts.customer: field name name is used twice',
    ],
    [
      'an unknown value map',
      withMapping({
        ...customer,
        fields: [first, { ...second, transform: { kind: 'valueMap', map: 'nope' as 'countryNameToIso' } }],
      }),
      'accounts.customer.name: unknown value map nope',
    ],
    [
      'a truncation to nothing',
      withMapping({
        ...customer,
        fields: [first, { ...second, transform: { kind: 'truncate', length: 0 } }],
      }),
      'accounts.customer.name: truncate length must be a whole number above 0, got 0',
    ],
    [
      'a key that is not mapped',
      withMapping({ ...customer, fields: [second] }),
      'accounts.customer: the key accountnumber → CustomerAccount is not among the fields',
    ],
    [
      'a route to a mapping that does not exist',
      withMapping(customer, {
        routes: [{ when: { test: 'always' }, mapping: 'product', description: 'wrong' }],
      }),
      'accounts: a route goes to unknown mapping product',
    ],
    [
      'records no route matches without a reason',
      withMapping(customer, {
        routes: [{ when: { test: 'notBlank', field: 'name' }, mapping: 'customer', description: 'named' }],
      }),
      'accounts: records no route matches need a skip reason (unrouted)',
    ],
    [
      'an eligibility rule without a reason',
      withMapping(customer, { eligibility: [{ require: { test: 'always' }, reason: ' ' }] }),
      'accounts: an eligibility rule has no reason',
    ],
  ])('reports %s', (_, flow, problem) => {
    expect(validateFlow(flow)).toEqual([problem]);
  });

  it('reports a dependency that does not run first', () => {
    const reordered = {
      quotes: flows.quotes,
      accounts: flows.accounts,
      products: flows.products,
      contacts: flows.contacts,
      orders: flows.orders,
      orderStatus: flows.orderStatus,
      invoices: flows.invoices,
    };
    expect(validateFlows(reordered)).toEqual([
      'quotes: depends on accounts, which does not run before it',
      'quotes: depends on contacts, which does not run before it',
      'quotes: depends on products, which does not run before it',
    ]);
  });
});

describe('layering', () => {
  it('keeps src/sync free of the simulators, the GraphQL layer and the server', () => {
    const root = join(import.meta.dirname, '../../src/sync');
    const files = readdirSync(root, { recursive: true, encoding: 'utf8' }).filter((f) => f.endsWith('.ts'));
    expect(files.length).toBeGreaterThan(10);
    for (const file of files) {
      const imports = [...readFileSync(join(root, file), 'utf8').matchAll(/from '([^']+)'/g)].map(
        (m) => m[1],
      );
      expect([file, imports.filter((i) => /\/(simulators|graphql|server)\//.test(i ?? ''))]).toEqual([
        file,
        [],
      ]);
    }
  });
});
