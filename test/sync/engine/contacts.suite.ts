/**
 * The contacts flow end to end, after the accounts flow: active customers become person customers,
 * other contacts with a parent account become contact persons attached by the customer's party number,
 * and a contact whose parent account is not in Finance fails as a missing dependency.
 */
import { randomUUID } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import type { Row } from '../../../src/simulators/core/model.js';
import { outcomesSum, writeCount, type EngineHarness } from './harness.js';

let h: EngineHarness;

const numbered = (): Row[] =>
  h.sim.sales.store.scan('contacts').filter((row) => typeof row['msdynce_contactnumber'] === 'string');
const contactPersons = (): Row[] =>
  numbered().filter((row) => row['msdynce_isactivecustomer'] !== true && row['_parentcustomerid_value']);
const personCustomers = (): Row[] => numbered().filter((row) => row['msdynce_isactivecustomer'] === true);
const numberOf = (row: Row | undefined): string => String(row?.['msdynce_contactnumber']);

async function editContact(number: string, body: Record<string, unknown>): Promise<void> {
  const [result] = await h.connectors.sales.upsert('contact', [{ key: number, body }]);
  expect(result?.outcome).toBe('updated');
}

/** The contacts flow's requirements, run against the shared harness (`harness` is ready in beforeAll). */
export function contactsSuite(harness: () => EngineHarness): void {
  describe('contacts flow', () => {
    beforeAll(async () => {
      h = harness();
      const { result } = await h.run('accounts');
      expect(result.status).toBe('completed');
    });

    it('writes contact persons under their customer and person customers', async () => {
      const { result, counters } = await h.run('contacts');
      expect(result).toMatchObject({ status: 'completed' });
      expect(counters.read).toBe(h.sim.sales.store.count('contacts'));
      expect(outcomesSum(counters)).toBe(counters.read);
      expect(counters.created + counters.updated).toBeGreaterThan(0);

      const person = contactPersons()[0]!;
      const written = await h.connectors.finance.get('contactPerson', { ContactPersonId: numberOf(person) });
      const account = await h.connectors.sales.get('account', {
        id: String(person['_parentcustomerid_value']),
      });
      const customer = await h.connectors.finance.get('customer', {
        CustomerAccount: String(account?.accountnumber),
      });
      expect(written).toMatchObject({
        FirstName: person['firstname'],
        LastName: person['lastname'],
        AssociatedPartyNumber: customer?.PartyNumber,
        IsContactPersonExternallyMaintained: 'Yes',
      });
      const buyer = personCustomers()[0]!;
      expect(await h.connectors.finance.get('customer', { CustomerAccount: numberOf(buyer) })).toMatchObject({
        PartyType: 'Person',
        PersonFirstName: buyer['firstname'],
      });
    });

    it('writes nothing on a second incremental run', async () => {
      h.sim.finance.log.clear();
      const { counters } = await h.run('contacts');
      expect(counters).toEqual({ read: 0, created: 0, updated: 0, unchanged: 0, skipped: 0, failed: 0 });
      expect(writeCount(h.sim.finance)).toBe(0);
    });

    it('updates exactly the one contact edited in Sales, and a dry run writes nothing', async () => {
      const number = numberOf(contactPersons()[1]);
      await editContact(number, { jobtitle: 'Chief Tester' });
      h.sim.finance.log.clear();
      const dry = await h.run('contacts', { dryRun: true });
      expect(dry.counters).toMatchObject({ read: 1, updated: 1 });
      expect(writeCount(h.sim.finance)).toBe(0);
      const { counters } = await h.run('contacts');
      expect(counters).toMatchObject({ read: 1, updated: 1, failed: 0 });
      const written = await h.connectors.finance.get('contactPerson', { ContactPersonId: number });
      expect(written?.EmploymentJobTitle).toBe('Chief Tester');
    });

    it('fails a contact whose parent account is not in Finance, and the Finance refusal of another', async () => {
      const orphan = numberOf(contactPersons()[2]);
      // A new account without a number never becomes a Finance customer.
      const parentId = randomUUID();
      const [parent] = await h.connectors.sales.upsert('account', [
        { key: { id: parentId }, body: { name: 'Orphan Ltd' } },
      ]);
      expect(parent?.outcome).toBe('created');
      await editContact(orphan, { 'parentcustomerid_account@odata.bind': `/accounts(${parentId})` });
      const refused = numberOf(personCustomers()[1]);
      h.sim.finance.store.update(
        'CustomersV3',
        { dataAreaId: 'usmf', CustomerAccount: refused },
        { CustomerGroupId: 'ZZ' },
      );
      await editContact(refused, { telephone1: '+1 555 0123' });
      const { runId, counters } = await h.run('contacts');
      expect(counters).toMatchObject({ read: 2, failed: 2 });
      const failures = await h.runs.failures(runId, { first: 10 });
      expect(failures.items).toEqual(
        expect.arrayContaining([
          expect.objectContaining({ recordKey: orphan, code: 'MISSING_DEPENDENCY' }),
          expect.objectContaining({
            recordKey: refused,
            code: 'WRITE_FAILED',
            message: expect.stringMatching(/Customer group/),
          }),
        ]),
      );
    });
  });
}
