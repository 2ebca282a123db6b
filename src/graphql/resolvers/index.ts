/** Every resolver of the public schema, typed by the generated resolver types. */
import type { Resolvers } from '../../generated/resolvers-types.js';
import { DateTime, Decimal } from '../scalars.js';
import { SyncFlowName, SyncSystem } from './enums.js';
import { Account } from './account.js';
import { Contact } from './contact.js';
import { Product } from './product.js';
import { Query } from './query.js';
import {
  Mutation,
  Subscription,
  SyncFailure,
  SyncRun,
  SyncRunFlow,
  SyncSystemPace,
  syncRunQueries,
} from './sync-runs.js';
import {
  SyncChildRecords,
  SyncConstant,
  SyncEntity,
  SyncFieldMapping,
  SyncFlow,
  syncFlowQueries,
  SyncRoute,
  SyncRule,
} from './sync-flows.js';
import { Invoice, InvoiceLine } from './invoice.js';
import { Order, OrderLine } from './order.js';
import { Quote, QuoteLine } from './quote.js';
import { viewerQueries } from './viewer.js';
import { availabilityQueries } from './alerts.js';
import { ContinuousSync, continuousSyncMutations, continuousSyncQueries } from './continuous-sync.js';
import {
  AlertDelivery,
  SyncSchedule,
  SyncScheduleFiring,
  syncScheduleMutations,
  syncScheduleQueries,
} from './sync-schedules.js';

export const resolvers: Resolvers = {
  DateTime,
  Decimal,
  SyncFlowName,
  SyncSystem,
  Query: {
    ...Query,
    ...syncFlowQueries,
    ...syncRunQueries,
    ...syncScheduleQueries,
    ...viewerQueries,
    ...continuousSyncQueries,
    ...availabilityQueries,
  },
  Mutation: { ...Mutation, ...syncScheduleMutations, ...continuousSyncMutations },
  ContinuousSync,
  AlertDelivery,
  SyncSchedule,
  SyncScheduleFiring,
  Subscription,
  SyncRun,
  SyncRunFlow,
  SyncSystemPace,
  SyncFailure,
  SyncFlow,
  SyncEntity,
  SyncRule,
  SyncRoute,
  SyncFieldMapping,
  SyncConstant,
  SyncChildRecords,
  Account,
  Contact,
  Quote,
  QuoteLine,
  Order,
  OrderLine,
  Invoice,
  InvoiceLine,
  Product,
  FinanceContact: {
    // A contact flagged active customer lives in Finance as a person customer, any other as a contact person.
    __resolveType: (row) => ('CustomerAccount' in row ? 'FinanceCustomer' : 'FinanceContactPerson'),
  },
};
