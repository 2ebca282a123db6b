/**
 * The contacts flow: Sales contacts → Finance person customers or contact persons (declaration in
 * definition.ts); a contact's parent account is looked up per page, and the page's current customers and
 * contact persons are read in the same Finance `$batch` as that lookup.
 */
import { financeTarget } from '../../engine/write.js';
import { accountLookups, createReadAhead, valuesOf } from '../lookups.js';
import { idOf, type FlowModule } from '../module.js';
import { contactsFlow } from './definition.js';

export const contacts: FlowModule = {
  definition: contactsFlow,
  plan: () => {
    // Both targets are keyed by contact number: their current rows go in the lookup's `$batch`.
    const ahead = createReadAhead({
      personCustomer: { kind: 'customer', keyField: 'CustomerAccount' },
      contactPerson: { kind: 'contactPerson', keyField: 'ContactPersonId' },
    });
    const readAhead = (name: string) => ({ readAhead: (keys: readonly string[]) => ahead.take(name, keys) });
    return {
      flow: contactsFlow,
      source: { system: 'sales', kind: 'contact', key: 'msdynce_contactnumber' },
      targets: (connectors) => ({
        personCustomer: financeTarget(connectors, 'customer', 'CustomerAccount', readAhead('personCustomer')),
        contactPerson: financeTarget(
          connectors,
          'contactPerson',
          'ContactPersonId',
          readAhead('contactPerson'),
        ),
      }),
      lookups: (connectors, rows, reference) =>
        accountLookups(connectors, valuesOf(rows, '_parentcustomerid_value'), reference, {
          readAhead: { ahead, keys: valuesOf(rows, 'msdynce_contactnumber') },
        }),
      linkEntity: 'contact',
      salesId: idOf('contactid'),
      unchangedByHash: false,
    };
  },
};
