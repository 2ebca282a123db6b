/**
 * Orders and invoices in the dashboard, in a real browser (Debian's chromium) against the hub over the
 * embedded default's data set: the Flows and Start pages list the orders, order status and invoices flows
 * after the quotes, each with its direction; a customer's view shows the account's orders (number, Sales
 * and Finance status, total, sync state) and invoices (number, date, total, order, which system has it).
 * The account is one the seed gave an invoiced order, found in the seed the hub's simulators hold.
 */
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { salesOrderStatus } from '../../src/connectors/sales/types.js';
import type { Row } from '../../src/simulators/core/model.js';
import { expectText, operator, reader, useDashboard } from './support.js';

const dashboard = useDashboard();

/** Every flow, in the order a run of all of them takes, as the page names them. */
const flowsInOrder = ['Accounts', 'Products', 'Contacts', 'Quotes', 'Orders', 'Order status', 'Invoices'];

/** The three flows of orders and invoices, and which way each copies. */
const orderFlows = [
  { label: 'Orders', direction: 'Sales → Finance' },
  { label: 'Order status', direction: 'Finance → Sales' },
  { label: 'Invoices', direction: 'Finance → Sales' },
];

/** The seed's code of a Sales order status, in the page's words: 647390009 → `Partially invoiced`. */
function salesStatusLabel(code: unknown): string {
  const entry = Object.entries(salesOrderStatus).find(([, value]) => value === code);
  if (!entry) throw new Error(`not a Sales order status: ${String(code)}`);
  const words = entry[0].replace(/[A-Z]/g, (letter) => ` ${letter.toLowerCase()}`);
  return words.charAt(0).toUpperCase() + words.slice(1);
}

const sameKey = (a: unknown, b: unknown) =>
  typeof a === 'string' && typeof b === 'string' && a.toLowerCase() === b.toLowerCase();

/**
 * An account of the seed with an order that Finance has invoiced: the Sales order (its customer the
 * account), its Finance sales order (status Invoiced) and a Finance invoice of it to the same account.
 */
function invoicedOrderOfSeed(): { accountNumber: string; order: Row; invoice: Row } {
  const { sales, finance } = dashboard.hub.simulators.data;
  for (const header of finance.SalesOrderHeadersV2) {
    if (header['SalesOrderProcessingStatus'] !== 'Invoiced') continue;
    const number = header['SalesOrderNumber'];
    const order = sales.salesorders.find((row) => sameKey(row['ordernumber'], number));
    const account = sales.accounts.find((row) => row['accountid'] === order?.['_customerid_value']);
    const accountNumber = account?.['accountnumber'];
    if (!order || typeof accountNumber !== 'string') continue;
    const invoice = finance.SalesInvoiceHeadersV2.find(
      (row) =>
        sameKey(row['SalesOrderNumber'], number) &&
        sameKey(row['InvoiceCustomerAccountNumber'], accountNumber),
    );
    if (invoice) return { accountNumber, order, invoice };
  }
  throw new Error('the seed has no account with an invoiced order');
}

/** The texts of the elements the selector finds, in page order. */
const textsOf = (page: Page, selector: string): Promise<(string | null)[]> =>
  page.locator(selector).evaluateAll((all) => all.map((element) => element.textContent));

describe('orders and invoices in the dashboard', () => {
  it('shows a customer’s invoiced order with its Sales and Finance status, and its invoice with its total', async () => {
    const { accountNumber, order, invoice } = invoicedOrderOfSeed();
    const orderNumber = String(order['ordernumber']);
    const invoiceNumber = String(invoice['InvoiceNumber']);
    const page = await dashboard.open(reader, 'reader', { link: 'Customers', heading: 'Customers' });
    await page.getByLabel('Account number or name').fill(accountNumber);
    await page.getByRole('button', { name: 'Search' }).click();
    await page.getByRole('link', { name: new RegExp(`^${accountNumber}`) }).click();
    await page.getByRole('heading', { name: 'Orders', exact: true }).waitFor();

    const orders = page.getByRole('table', { name: 'Orders of the account in Sales' });
    for (const header of ['Order number', 'Sales status', 'Finance status', 'Total', 'Sync state'])
      await orders.getByRole('columnheader', { name: header, exact: true }).waitFor();
    const orderRow = orders.getByRole('row').filter({
      has: page.getByRole('rowheader', { name: orderNumber, exact: true }),
    });
    // After the number: name, Sales status, Finance status, total, sync state.
    const [, salesStatus, financeStatus, orderTotal, syncState] = await orderRow
      .getByRole('cell')
      .allInnerTexts();
    expect(salesStatus).toBe(salesStatusLabel(order['msdynce_processingstatus']));
    expect(financeStatus).toBe('Invoiced');
    expect(orderTotal).toMatch(/^\d+\.\d+ [A-Z]{3}$/);
    expect(syncState).toMatch(/^[A-Z_]+$/);

    const invoices = page.getByRole('table', { name: 'Invoices of the account in Sales and Finance' });
    const invoiceRow = invoices.getByRole('row').filter({
      has: page.getByRole('rowheader', { name: invoiceNumber, exact: true }),
    });
    // After the number: date, total, order number, in Sales, in Finance.
    const [date, total, invoicedOrder, , inFinance] = await invoiceRow.getByRole('cell').allInnerTexts();
    expect(date).not.toBe('—');
    expect(total).toBe(`${String(invoice['TotalInvoiceAmount'])} ${String(invoice['CurrencyCode'])}`);
    expect(invoicedOrder).toBe(orderNumber);
    expect(inFinance).toBe('Yes');
  });

  it('lists the orders, order status and invoices flows after the quotes, each with its direction', async () => {
    const page = await dashboard.open(reader, 'reader', { link: 'Flows', heading: 'Flows' });
    await page.getByRole('region', { name: 'Invoices', exact: true }).waitFor();
    expect(await textsOf(page, 'section.flow > h2')).toEqual(flowsInOrder);
    for (const { label, direction } of orderFlows) {
      const section = page.getByRole('region', { name: label, exact: true });
      await expectText(section.locator('dl.facts'), new RegExp(`Direction\\s+${direction}`));
    }
    // Each has its continuous sync card, in the same order.
    expect(await textsOf(page, '.continuous-card h3')).toEqual(flowsInOrder);
  });

  it('marks the order status fields written only when an order entered in Finance is created', async () => {
    const page = await dashboard.open(reader, 'reader', { link: 'Flows', heading: 'Flows' });
    const section = page.getByRole('region', { name: 'Order status', exact: true });
    const fields = section.getByRole('table', {
      name: 'orderStatus: fields from Finance SalesOrderHeadersV2 to Sales salesorders',
    });
    const written = async (target: string) =>
      (
        await fields.getByRole('row').filter({ hasText: target }).first().getByRole('cell').allInnerTexts()
      ).at(-1);
    expect(await written('_customerid_value')).toBe('When created');
    expect(await written('shipto_country')).toBe('When created');
    expect(await written('msdynce_processingstatus')).toBe('On every write');
    expect(await fields.getByRole('columnheader').allInnerTexts()).toEqual([
      'Source field',
      'Target field',
      'Transform',
      'Default',
      'Written',
    ]);
  });

  it('offers the three flows on the Start page, in dependency order', async () => {
    const page = await dashboard.open(operator, 'operator', {
      link: 'Start a sync',
      heading: 'Start a sync',
    });
    const flows = page.getByRole('group', { name: 'Flows' });
    await flows.getByRole('checkbox', { name: 'Invoices', exact: true }).waitFor();
    expect(await flows.locator('label').allInnerTexts()).toEqual(flowsInOrder);
    for (const { label } of orderFlows)
      expect(await flows.getByRole('checkbox', { name: label, exact: true }).isChecked()).toBe(true);
  });
});
