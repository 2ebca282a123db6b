/**
 * References to the entities flows read and write, built from the connectors' own descriptors so a flow
 * never names an entity set the connectors do not know.
 */
import { financeEntities } from '../../connectors/finance/entities.js';
import type { FinanceKind } from '../../connectors/finance/types.js';
import { salesEntities } from '../../connectors/sales/entities.js';
import type { SalesKind } from '../../connectors/sales/types.js';
import type { EntityRef } from './types.js';

/** The Sales entity of connector kind `kind` (`account` → `accounts`). */
export const salesEntity = (kind: SalesKind): EntityRef => ({
  system: 'sales',
  entity: salesEntities[kind].set,
  kind,
});

/** The Finance entity of connector kind `kind` (`customer` → `CustomersV3`). */
export const financeEntity = (kind: FinanceKind): EntityRef => ({
  system: 'finance',
  entity: financeEntities[kind].set,
  kind,
});
