/**
 * The contacts flow: Sales contacts → Finance person customers or contact persons (declaration in
 * definition.ts); a contact's parent account is looked up per page.
 */
import { financeTarget } from '../../engine/write.js';
import { accountLookups, valuesOf } from '../lookups.js';
import { idOf, type FlowModule } from '../module.js';
import { contactsFlow } from './definition.js';

export const contacts: FlowModule = {
  definition: contactsFlow,
  plan: () => ({
    flow: contactsFlow,
    source: { system: 'sales', kind: 'contact', key: 'msdynce_contactnumber' },
    targets: (connectors) => ({
      personCustomer: financeTarget(connectors, 'customer', 'CustomerAccount'),
      contactPerson: financeTarget(connectors, 'contactPerson', 'ContactPersonId'),
    }),
    lookups: (connectors, rows, reference) =>
      accountLookups(connectors, valuesOf(rows, '_parentcustomerid_value'), reference),
    linkEntity: 'contact',
    salesId: idOf('contactid'),
    unchangedByHash: false,
  }),
};
