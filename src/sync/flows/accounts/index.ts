/** The accounts flow: Sales accounts → Finance customers (declaration in definition.ts). */
import { financeTarget } from '../../engine/write.js';
import { idOf, type FlowModule } from '../module.js';
import { accountsFlow } from './definition.js';

export const accounts: FlowModule = {
  definition: accountsFlow,
  plan: () => ({
    flow: accountsFlow,
    source: { system: 'sales', kind: 'account', key: 'accountnumber' },
    targets: (connectors) => ({ customer: financeTarget(connectors, 'customer', 'CustomerAccount') }),
    linkEntity: 'account',
    salesId: idOf('accountid'),
    unchangedByHash: false,
  }),
};
