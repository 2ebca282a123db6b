/**
 * The Finance connector against the Finance simulator over real HTTP: company scoping, existence-checked
 * upserts that return Finance-assigned values, reads of several entities in one `$batch`, write batches
 * of 1,000 operations, and atomic change sets for a quotation with its lines.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { financeData } from '../support/fixtures.js';
import { collect, startTestSystems, type TestSystems } from '../support/systems.js';

let systems: TestSystems;

beforeAll(async () => {
  systems = await startTestSystems({ financeData: financeData(5) });
});
afterAll(() => systems.close());

const quotation = (number: string) => ({
  SalesQuotationNumber: number,
  SalesQuotationName: 'Speakers',
  RequestingCustomerAccountNumber: 'ACC-00001',
  CurrencyCode: 'USD',
  SalesQuotationExpiryDate: '2026-12-31T00:00:00Z',
  RequestedShippingDate: '2026-12-15T00:00:00Z',
});

describe('company scope', () => {
  it("reads only the configured company, whatever the caller's default company is", async () => {
    const customers = await collect(systems.connectors.finance.list('customer'));
    expect(customers.map((c) => c.dataAreaId)).toEqual(Array(5).fill('usmf'));
    expect(await systems.connectors.finance.get('customer', { CustomerAccount: 'DE-001' })).toBeNull();
  });

  it('lists the legal entities', async () => {
    expect(await systems.connectors.finance.companies()).toEqual(['demf', 'usmf']);
  });
});

describe('upserts', () => {
  it('checks existence in one read, then creates or updates in one $batch', async () => {
    systems.finance.log.clear();
    const results = await systems.connectors.finance.upsert('customer', [
      {
        match: { CustomerAccount: 'ACC-00002' },
        body: { PrimaryContactPhone: '555-2222', CreditLimit: '99.95' },
      },
      {
        match: { CustomerAccount: 'ACC-60000' },
        body: { OrganizationName: 'New Co', CustomerGroupId: '10' },
      },
      {
        match: { CustomerAccount: 'ACC-60001' },
        body: { OrganizationName: 'Bad group', CustomerGroupId: '99' },
      },
    ]);
    expect(results.map((r) => r.outcome)).toEqual(['updated', 'created', 'failed']);
    expect(results[1]!.record).toMatchObject({
      CustomerAccount: 'ACC-60000',
      PartyNumber: expect.stringMatching(/^\d{9}$/),
    });
    expect(results[2]!.error?.message).toMatch(/Customer group/);
    expect(systems.finance.log.httpRequests({ method: 'GET' })).toBe(1);
    expect(systems.finance.log.httpRequests({ method: 'POST' })).toBe(1);
    expect(await systems.connectors.finance.get('customer', { CustomerAccount: 'ACC-00002' })).toMatchObject({
      CreditLimit: '99.95',
    });
  });
});

describe('batched reads', () => {
  it('reads by values of several entities in one $batch of GETs, each read grouped on its own', async () => {
    systems.finance.log.clear();
    const [customers, groups] = await systems.connectors.finance.getByValuesTogether([
      { kind: 'customer', property: 'CustomerAccount', values: ['ACC-00001', 'acc-00004', 'ACC-99999'] },
      { kind: 'customerGroup', property: 'CustomerGroupId', values: ['20'] },
    ]);
    expect([...customers.keys()].sort()).toEqual(['acc-00001', 'acc-00004']);
    expect(customers.get('acc-00004')?.[0]).toMatchObject({
      CustomerAccount: 'ACC-00004',
      dataAreaId: 'usmf',
    });
    expect([...groups.values()].flat()).toEqual([
      expect.objectContaining({ CustomerGroupId: '20', dataAreaId: 'usmf' }),
    ]);
    expect(systems.finance.log.httpRequests()).toBe(1);
    expect(systems.finance.log.counts()).toEqual({
      'POST $batch': 1,
      'GET CustomersV3': 1,
      'GET CustomerGroups': 1,
    });
  });

  it('sends reads that fit one URL as one plain GET, and none for no values', async () => {
    systems.finance.log.clear();
    const [customers, none] = await systems.connectors.finance.getByValuesTogether([
      { kind: 'customer', property: 'CustomerAccount', values: ['ACC-00002'] },
      { kind: 'contactPerson', property: 'ContactPersonId', values: [] },
    ]);
    expect(customers.get('acc-00002')).toHaveLength(1);
    expect(none.size).toBe(0);
    expect(systems.finance.log.counts()).toEqual({ 'GET CustomersV3': 1 });
  });
});

describe('write batches', () => {
  it('writes a page of 1,000 records in one $batch, a refused record failing alone', async () => {
    const records = Array.from({ length: 1_000 }, (_, i) => ({
      match: { CustomerAccount: `BULK-${String(i).padStart(4, '0')}` },
      body: { OrganizationName: `Bulk ${i}`, CustomerGroupId: i === 500 ? '99' : '10' },
      current: null,
    }));
    systems.finance.log.clear();
    const results = await systems.connectors.finance.upsert('customer', records);
    expect(results.filter((r) => r.outcome === 'created')).toHaveLength(999);
    expect(results[500]).toMatchObject({
      outcome: 'failed',
      error: { message: expect.stringMatching(/Customer group/) },
    });
    // The rows the caller read go along (`current`), so nothing is read again.
    expect(systems.finance.log.httpRequests()).toBe(1);
    expect(systems.finance.log.httpRequests({ method: 'POST', entitySet: '$batch' })).toBe(1);
  });
});

describe('change sets', () => {
  it('writes a quotation and its lines together, with line ids and amounts from Finance', async () => {
    const [results] = await systems.connectors.finance.writeChangeSets([
      [
        { method: 'POST', kind: 'quoteHeader', body: quotation('QUO-A') },
        {
          method: 'POST',
          kind: 'quoteLine',
          body: {
            SalesQuotationNumber: 'QUO-A',
            LineCreationSequenceNumber: 1,
            ItemNumber: 'D0001',
            RequestedSalesQuantity: '2',
            SalesPrice: '199.99',
          },
        },
      ],
    ]);
    expect(results!.map((r) => r.outcome)).toEqual(['created', 'created']);
    expect(results![1]!.record).toMatchObject({
      InventoryLotId: expect.stringMatching(/^\d{9}$/),
      LineAmount: '399.98',
    });
  });

  it('never leaves half a quotation: a bad line undoes its header', async () => {
    const [results] = await systems.connectors.finance.writeChangeSets([
      [
        { method: 'POST', kind: 'quoteHeader', body: quotation('QUO-B') },
        {
          method: 'POST',
          kind: 'quoteLine',
          body: {
            SalesQuotationNumber: 'QUO-B',
            LineCreationSequenceNumber: 1,
            ItemNumber: 'NOPE',
            RequestedSalesQuantity: '1',
            SalesPrice: '1',
          },
        },
      ],
    ]);
    expect(results!.map((r) => r.outcome)).toEqual(['failed', 'failed']);
    expect(results![1]!.error?.message).toMatch(/'NOPE' in field 'Item number'/);
    expect(await systems.connectors.finance.get('quoteHeader', { SalesQuotationNumber: 'QUO-B' })).toBeNull();
  });
});
