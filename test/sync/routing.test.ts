/**
 * Which records a flow skips (and the reason an admin reads) and which mapping the others take: the
 * contacts routing rule and the quotes eligibility rules of the reference.
 */
import { describe, expect, it } from 'vitest';
import type { Row } from '../../src/simulators/core/model.js';
import { flows } from '../../src/sync/flows/index.js';
import { routeRecord, type RouteDecision } from '../../src/sync/routing.js';
import { basicReference, quotationsByNumber, reference, seed } from './seed-pairs.js';

const outcome = (decision: RouteDecision): string =>
  decision.action === 'map' ? `map: ${decision.mapping.name}` : `skip: ${decision.reason}`;

const ACCOUNT = '30000000-0000-0000-0000-000000000001';

describe('accounts: eligibility', () => {
  it.each<[string, Row, string]>([
    ['an account with a number', { accountnumber: 'ACC-01000-BVRCPS' }, 'map: customer'],
    ['an account without a number', { accountnumber: null }, 'skip: no account number'],
    ['an account whose number is blank', { accountnumber: '  ' }, 'skip: no account number'],
    [
      'a prospect (no relationship filter by default)',
      { accountnumber: 'ACC-1', customertypecode: 8 },
      'map: customer',
    ],
  ])('%s → %s', (_, account, expected) => {
    expect(outcome(routeRecord(flows.accounts, account, basicReference))).toBe(expected);
  });
});

describe('contacts: routing', () => {
  it.each<[string, Row, string]>([
    [
      'an active customer becomes a person customer',
      { msdynce_contactnumber: 'CON-1', msdynce_isactivecustomer: true, _parentcustomerid_value: null },
      'map: personCustomer',
    ],
    [
      'an active customer with a parent account is still a person customer',
      { msdynce_contactnumber: 'CON-1', msdynce_isactivecustomer: true, _parentcustomerid_value: ACCOUNT },
      'map: personCustomer',
    ],
    [
      'a contact parented by an account becomes a contact person',
      { msdynce_contactnumber: 'CON-1', msdynce_isactivecustomer: false, _parentcustomerid_value: ACCOUNT },
      'map: contactPerson',
    ],
    [
      'a contact whose active-customer flag is unset is routed by its parent',
      { msdynce_contactnumber: 'CON-1', msdynce_isactivecustomer: null, _parentcustomerid_value: ACCOUNT },
      'map: contactPerson',
    ],
    [
      'a contact with neither is skipped',
      { msdynce_contactnumber: 'CON-1', msdynce_isactivecustomer: false, _parentcustomerid_value: null },
      'skip: neither an active customer nor parented by an account',
    ],
    [
      'a contact without a number is skipped before routing',
      { msdynce_contactnumber: null, msdynce_isactivecustomer: true, _parentcustomerid_value: ACCOUNT },
      'skip: no contact number',
    ],
  ])('%s', (_, contact, expected) => {
    expect(outcome(routeRecord(flows.contacts, contact, basicReference))).toBe(expected);
  });

  it('routes every seeded contact Finance holds to the mapping that made it', () => {
    const personCustomers = new Set(seed.finance.CustomersV3.map((c) => c['CustomerAccount']));
    const contactPersons = new Set(seed.finance.ContactPersons.map((c) => c['ContactPersonId']));
    const synced = seed.sales.contacts.filter(
      (c) =>
        personCustomers.has(c['msdynce_contactnumber'] ?? null) ||
        contactPersons.has(c['msdynce_contactnumber'] ?? null),
    );
    expect(synced.length).toBeGreaterThan(300);
    for (const contact of synced) {
      const expected = personCustomers.has(contact['msdynce_contactnumber'] ?? null)
        ? 'personCustomer'
        : 'contactPerson';
      expect(outcome(routeRecord(flows.contacts, contact, basicReference))).toBe(`map: ${expected}`);
    }
  });
});

describe('quotes: eligibility of a quote and its lines', () => {
  const quote = { quotenumber: 'QUO-1', statecode: 1, _customerid_value: ACCOUNT };
  const line = (sequencenumber: number, changes: Row = {}): Row => ({
    sequencenumber,
    isproductoverridden: false,
    _productid_value: externalProductId(),
    ...changes,
  });

  it.each<[string, Row, Row[], string]>([
    ['an active quote of external products', quote, [line(1), line(2)], 'map: quotationHeader'],
    ['a draft quote', { ...quote, statecode: 0 }, [line(1)], 'skip: quote not activated'],
    ['a won quote (history)', { ...quote, statecode: 2 }, [line(1)], 'skip: quote not activated'],
    ['a closed quote (history)', { ...quote, statecode: 3 }, [line(1)], 'skip: quote not activated'],
    ['a quote without a number', { ...quote, quotenumber: null }, [line(1)], 'skip: no quote number'],
    ['a quote without a customer', { ...quote, _customerid_value: null }, [line(1)], 'skip: no customer'],
    [
      'a quote with a write-in line',
      quote,
      [line(1), line(2, { isproductoverridden: true, _productid_value: null })],
      'skip: write-in line (line 2)',
    ],
    [
      'a quote with a line on a product Sales keeps on its own',
      quote,
      [line(1, { _productid_value: salesOnlyProductId() })],
      'skip: product not maintained in Finance (line 1)',
    ],
    [
      'a quote with a line on a product that does not exist',
      quote,
      [line(1), line(2), line(3, { _productid_value: '00000000-0000-0000-0000-000000000000' })],
      'skip: product not maintained in Finance (line 3)',
    ],
    [
      'a quote that is not active says so before any line',
      { ...quote, statecode: 0 },
      [line(1, { isproductoverridden: true })],
      'skip: quote not activated',
    ],
  ])('%s', (_, header, lines, expected) => {
    expect(outcome(routeRecord(flows.quotes, header, reference, lines))).toBe(expected);
  });

  it('accepts every seeded quote Finance holds', () => {
    const linesByQuote = new Map<unknown, Row[]>();
    for (const l of seed.sales.quotedetails) {
      linesByQuote.set(l['_quoteid_value'], [...(linesByQuote.get(l['_quoteid_value']) ?? []), l]);
    }
    const sent = seed.sales.quotes.filter((q) => quotationsByNumber.has(String(q['quotenumber'])));
    expect(sent.length).toBeGreaterThan(20);
    for (const q of sent) {
      expect(
        outcome(routeRecord(flows.quotes, q, reference, linesByQuote.get(q['quoteid'] ?? null) ?? [])),
      ).toBe('map: quotationHeader');
    }
  });

  it("counts a quote skipped for one of its lines under the line's rule, whichever line it was", () => {
    const writeIn = (sequencenumber: number) =>
      routeRecord(flows.quotes, quote, reference, [
        line(1),
        line(sequencenumber, { isproductoverridden: true, _productid_value: null }),
      ]);
    expect(writeIn(2)).toMatchObject({ reason: 'write-in line (line 2)', rule: 'write-in line' });
    expect(writeIn(3)).toMatchObject({ reason: 'write-in line (line 3)', rule: 'write-in line' });
    // A rule of the quote itself is counted by its own reason.
    expect(routeRecord(flows.quotes, { ...quote, statecode: 0 }, reference, [line(1)])).toMatchObject({
      reason: 'quote not activated',
      rule: 'quote not activated',
    });
  });

  it('refuses to judge product lines without the product lookup rather than skipping them', () => {
    expect(() => routeRecord(flows.quotes, quote, basicReference, [line(1)])).toThrow(
      'The reference data has no externalProductNumberById lookup, which a rule needs',
    );
  });
});

function externalProductId(): string {
  const product = seed.sales.products.find((p) => p['msdynce_ismaintainedexternally'] === true);
  return String(product?.['productid']);
}

function salesOnlyProductId(): string {
  const product = seed.sales.products.find((p) => p['msdynce_ismaintainedexternally'] === false);
  return String(product?.['productid']);
}
