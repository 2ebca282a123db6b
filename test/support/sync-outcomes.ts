/**
 * What the crash and outage tests check after a sync: every account the flow moves is in Finance exactly
 * once. Read from the simulators' stores, in or out of the process under test.
 */
import type { Row } from '../../src/simulators/core/model.js';

/** The part of a running pair of simulators these helpers read. */
export interface SystemStores {
  sales: { store: { scan(set: string): Row[] } };
  finance: { store: { scan(set: string): Row[] } };
}

/** Finance customers (usmf) per customer account, to see that none was created twice. */
export function customersByAccount(systems: SystemStores): Map<string, number> {
  const counts = new Map<string, number>();
  for (const row of systems.finance.store.scan('CustomersV3')) {
    if (row['dataAreaId'] !== 'usmf') continue;
    const key = String(row['CustomerAccount']).toLowerCase();
    counts.set(key, (counts.get(key) ?? 0) + 1);
  }
  return counts;
}

/** Sales accounts the accounts flow moves: those with an account number. */
export function numberedAccounts(systems: SystemStores): string[] {
  return systems.sales.store
    .scan('accounts')
    .map((row) => row['accountnumber'])
    .filter((n): n is string => typeof n === 'string' && n !== '')
    .map((n) => n.toLowerCase());
}

/** The error `work` rejects with; fails the test when it resolves. */
export async function errorOf(work: () => Promise<unknown>): Promise<unknown> {
  try {
    await work();
  } catch (error) {
    return error;
  }
  throw new Error('expected the work to fail');
}
