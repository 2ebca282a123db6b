/** Small entity-set declarations for the query-engine tests: a Dataverse-like `accounts`. */
import type { EntitySetDef } from '../../src/simulators/core/model.js';

export const accounts: EntitySetDef = {
  name: 'accounts',
  entityType: 'account',
  key: ['accountid'],
  properties: {
    accountid: { type: 'Edm.Guid' },
    name: { type: 'Edm.String' },
    accountnumber: { type: 'Edm.String' },
    creditlimit: { type: 'Edm.Decimal' },
    numberofemployees: { type: 'Edm.Int32' },
    exchangerate: { type: 'Edm.Double' },
    donotemail: { type: 'Edm.Boolean' },
    _parentcustomerid_value: { type: 'Edm.Guid' },
    modifiedon: { type: 'Edm.DateTimeOffset' },
    foundedon: { type: 'Edm.Date' },
  },
};
