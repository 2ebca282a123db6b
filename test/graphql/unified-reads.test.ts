/**
 * Front-end apps read an account with its Finance customer, contacts, quotes, lines and products in one
 * query, over real HTTP to the hub and real HTTP from the hub to both simulators; values are checked
 * field by field against the seeded rows.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { Row } from '../../src/simulators/core/model.js';
import { resetSystems, startTestHub, type TestHub } from '../support/hub.js';

let hub: TestHub;
beforeAll(async () => {
  hub = await startTestHub({ accounts: 60 });
});
afterAll(() => hub.close());
beforeEach(() => resetSystems(hub));

const accountQuery = /* GraphQL */ `
  query Account($number: String!) {
    account(accountNumber: $number) {
      accountNumber
      name
      phone
      email
      website
      creditLimit
      currency
      customerGroup
      address {
        line1
        city
        stateOrProvince
        postalCode
        country
      }
      sales {
        accountid
        accountnumber
        creditlimit
        etag
      }
      finance {
        CustomerAccount
        OrganizationName
        CreditLimit
        PartyNumber
        dataAreaId
      }
      contacts {
        contactNumber
        fullName
        email
        account {
          accountNumber
        }
      }
      quotes {
        quoteNumber
        name
        status
        totalAmount
        currency
        account {
          accountNumber
        }
        lines {
          lineNumber
          quantity
          unitPrice
          amount
          isWriteIn
          productNumber
          product {
            productNumber
            name
            price
          }
        }
      }
      sync {
        state
        drift {
          field
          sales
          finance
        }
      }
    }
  }
`;

function seeded() {
  const { sales, finance } = hub.simulators.data;
  const customers = new Map(
    finance.CustomersV3.filter((c) => c['dataAreaId'] === 'usmf').map((c) => [
      String(c['CustomerAccount']),
      c,
    ]),
  );
  const contactsOf = (id: unknown) => sales.contacts.filter((c) => c['_parentcustomerid_value'] === id);
  const quotesOf = (id: unknown) =>
    sales.quotes.filter((q) => q['_customerid_value'] === id && q['quotenumber']);
  const linesOf = (id: unknown) => sales.quotedetails.filter((l) => l['_quoteid_value'] === id);
  const productById = new Map(sales.products.map((p) => [p['productid'], p]));
  return { sales, customers, contactsOf, quotesOf, linesOf, productById };
}

describe('the unified account', () => {
  it('comes back with its Finance customer, contacts, quotes, lines and products, all as seeded', async () => {
    const s = seeded();
    const account = s.sales.accounts.find(
      (a) =>
        a['accountnumber'] &&
        s.customers.has(String(a['accountnumber'])) &&
        s.contactsOf(a['accountid']).length > 0 &&
        s.quotesOf(a['accountid']).some((q) => s.linesOf(q['quoteid']).some((l) => l['_productid_value'])),
    )!;
    expect(account).toBeDefined();
    const number = String(account['accountnumber']);
    const customer = s.customers.get(number)!;
    const { data, errors } = await hub.graphql(accountQuery, { number });
    expect(errors).toBeUndefined();
    const got = data.account;
    expect(got).toMatchObject({
      accountNumber: number,
      name: account['name'],
      phone: account['telephone1'],
      email: account['emailaddress1'],
      website: account['websiteurl'],
      customerGroup: customer['CustomerGroupId'],
      sales: { accountid: account['accountid'], accountnumber: number },
      finance: {
        CustomerAccount: number,
        OrganizationName: customer['OrganizationName'],
        PartyNumber: customer['PartyNumber'],
        dataAreaId: 'usmf',
      },
    });
    expect(Number(got.creditLimit)).toBe(Number(account['creditlimit']));
    expect(got.address?.city ?? null).toBe(account['address1_city']);

    const contacts = s.contactsOf(account['accountid']);
    expect(got.contacts.map((c: { contactNumber: string }) => c.contactNumber).sort()).toEqual(
      contacts.map((c) => c['msdynce_contactnumber']).sort(),
    );
    expect(
      got.contacts.every((c: { account: { accountNumber: string } }) => c.account.accountNumber === number),
    ).toBe(true);

    const quotes = s.quotesOf(account['accountid']);
    expect(got.quotes.map((q: { quoteNumber: string }) => q.quoteNumber)).toEqual(
      quotes.map((q) => q['quotenumber']).sort(),
    );
    for (const quote of got.quotes) {
      const seededQuote = quotes.find((q) => q['quotenumber'] === quote.quoteNumber)!;
      expect(quote.account.accountNumber).toBe(number);
      expect(Number(quote.totalAmount)).toBe(Number(seededQuote['totalamount']));
      const lines = s
        .linesOf(seededQuote['quoteid'])
        .sort((a, b) => Number(a['sequencenumber']) - Number(b['sequencenumber']));
      expect(quote.lines.map((l: { lineNumber: number }) => l.lineNumber)).toEqual(
        lines.map((l) => l['sequencenumber']),
      );
      quote.lines.forEach((line: Record<string, any>, i: number) => {
        const seededLine = lines[i]!;
        expect(Number(line.quantity)).toBe(Number(seededLine['quantity']));
        expect(Number(line.amount)).toBe(Number(seededLine['extendedamount']));
        expect(line.isWriteIn).toBe(seededLine['isproductoverridden'] === true);
        const product = s.productById.get(seededLine['_productid_value']) as Row | undefined;
        expect(line.productNumber).toBe(product ? product['productnumber'] : null);
        if (product) expect(line.product).toMatchObject({ productNumber: product['productnumber'] });
      });
    }
  });

  it('is null for an account number nobody has', async () => {
    const { data, errors } = await hub.graphql(accountQuery, { number: 'ACC-NOBODY' });
    expect(errors).toBeUndefined();
    expect(data.account).toBeNull();
  });
});

describe('sync state and drift', () => {
  const syncQuery = `query($n: String!) { account(accountNumber: $n) { sync { state drift { field sales finance } } } }`;

  it('shows IN_SYNC with no drift for an account whose mapped fields match', async () => {
    const s = seeded();
    const numbers = s.sales.accounts
      .map((a) => a['accountnumber'])
      .filter((n): n is string => typeof n === 'string' && s.customers.has(n));
    const results = await Promise.all(numbers.slice(0, 20).map((n) => hub.graphql(syncQuery, { n })));
    const states = results.map((r) => r.data.account.sync.state);
    expect(states).toContain('IN_SYNC');
    for (const r of results.filter((x) => x.data.account.sync.state === 'IN_SYNC'))
      expect(r.data.account.sync.drift).toEqual([]);
  });

  it('lists the drifted field with both values for a drifted account', async () => {
    const s = seeded();
    const drifted = s.sales.accounts.find((a) => {
      const c = s.customers.get(String(a['accountnumber']));
      return c && a['telephone1'] !== c['PrimaryContactPhone'];
    })!;
    const customer = s.customers.get(String(drifted['accountnumber']))!;
    const { data } = await hub.graphql(syncQuery, { n: drifted['accountnumber'] });
    expect(data.account.sync.state).toBe('DRIFTED');
    expect(data.account.sync.drift).toContainEqual(
      expect.objectContaining({ sales: drifted['telephone1'], finance: customer['PrimaryContactPhone'] }),
    );
  });

  it('shows SALES_ONLY and FINANCE_ONLY for records that exist on one side', async () => {
    const s = seeded();
    const salesOnly = s.sales.accounts.find(
      (a) => a['accountnumber'] && !s.customers.has(String(a['accountnumber'])),
    )!;
    const salesNumbers = new Set(s.sales.accounts.map((a) => a['accountnumber']));
    const financeOnly = [...s.customers.keys()].find((n) => !salesNumbers.has(n))!;
    const [a, b] = await Promise.all([
      hub.graphql(
        `query($n: String!) { account(accountNumber: $n) { name sales { accountid } finance { CustomerAccount } sync { state } } }`,
        { n: salesOnly['accountnumber'] },
      ),
      hub.graphql(
        `query($n: String!) { account(accountNumber: $n) { name sales { accountid } finance { CustomerAccount } sync { state } } }`,
        { n: financeOnly },
      ),
    ]);
    expect(a.data.account).toMatchObject({ finance: null, sync: { state: 'SALES_ONLY' } });
    expect(b.data.account).toMatchObject({
      sales: null,
      finance: { CustomerAccount: financeOnly },
      sync: { state: 'FINANCE_ONLY' },
    });
    expect(b.data.account.name).toBe(s.customers.get(financeOnly)!['OrganizationName']);
  });
});

describe('quotes in both systems', () => {
  it('pairs each Sales line with its Finance quotation line by line number', async () => {
    const quotation = hub.simulators.data.finance.SalesQuotationHeadersV2.find(
      (h) => h['dataAreaId'] === 'usmf',
    )!;
    const number = String(quotation['SalesQuotationNumber']);
    const financeLines = hub.simulators.data.finance.SalesQuotationLines.filter(
      (l) => l['SalesQuotationNumber'] === number,
    );
    const { data, errors } = await hub.graphql(
      `query($n: String!) { quote(quoteNumber: $n) { quoteNumber sync { state } finance { SalesQuotationStatus } lines { lineNumber amount sales { quotedetailid } finance { LineCreationSequenceNumber LineAmount } } } }`,
      { n: number },
    );
    expect(errors).toBeUndefined();
    expect(data.quote.finance.SalesQuotationStatus).toBe(quotation['SalesQuotationStatus']);
    expect(data.quote.lines).toHaveLength(financeLines.length);
    for (const line of data.quote.lines) {
      expect(line.sales).not.toBeNull();
      expect(line.finance.LineCreationSequenceNumber).toBe(line.lineNumber);
      expect(Number(line.finance.LineAmount)).toBe(Number(line.amount));
    }
  });
});
