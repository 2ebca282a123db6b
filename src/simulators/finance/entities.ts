/**
 * The F&O data entities the Finance simulator serves, with the properties the hub uses (names and types
 * as in a live system's `$metadata`; see the reference property lists). Company-specific entities have
 * `dataAreaId` as the first key part. Enums are serialized by member name.
 */
import { financeOrderLineStatuses, financeOrderStatuses } from '../../connectors/finance/types.js';
import type { EntitySetDef, PropertyDef } from '../core/model.js';
import { dateTime, decimal, enumOf, int32, readOnly, required, str } from '../core/properties.js';

export const noYes = (extra: Partial<PropertyDef> = {}): PropertyDef => enumOf('NoYes', ['No', 'Yes'], extra);

export const quotationStatuses = [
  'Created',
  'Sent',
  'Confirmed',
  'Lost',
  'Cancelled',
  'Reset',
  'Modified',
  'Submitted',
  'Approved',
  'Revised',
] as const;

const company = { dataAreaId: required(str(4)) };

const address = (prefix: string, state: 'State' | 'StateId'): Record<string, PropertyDef> => ({
  [`${prefix}Street`]: str(250),
  [`${prefix}City`]: str(60),
  [`${prefix}${state}`]: str(10),
  [`${prefix}ZipCode`]: str(10),
  [`${prefix}CountryRegionISOCode`]: str(10),
});

/** Legal entities (companies); not company-specific, so no dataAreaId. */
export const LegalEntities: EntitySetDef = {
  name: 'LegalEntities',
  entityType: 'LegalEntity',
  key: ['LegalEntityId'],
  properties: { LegalEntityId: required(str(4)), Name: str(100) },
};

export const CustomerGroups: EntitySetDef = {
  name: 'CustomerGroups',
  entityType: 'CustomerGroup',
  key: ['dataAreaId', 'CustomerGroupId'],
  properties: { ...company, CustomerGroupId: required(str(10)), Description: str(60) },
};

export const CustomersV3: EntitySetDef = {
  name: 'CustomersV3',
  entityType: 'CustomerV3',
  key: ['dataAreaId', 'CustomerAccount'],
  properties: {
    ...company,
    CustomerAccount: required(str(20)),
    OrganizationName: str(100),
    PartyType: str(20),
    PartyNumber: readOnly(str(20)),
    PersonFirstName: str(25),
    PersonLastName: str(25),
    CustomerGroupId: str(10),
    SalesCurrencyCode: str(3),
    CreditLimit: required(decimal()),
    LanguageId: str(7),
    PrimaryContactEmail: str(255),
    PrimaryContactPhone: str(255),
    PrimaryContactURL: str(255),
    PrimaryContactFax: str(255),
    SalesMemo: str(1000),
    ...address('DeliveryAddress', 'State'),
    ...address('InvoiceAddress', 'State'),
    SiteId: str(10),
    WarehouseId: str(10),
    IsExternallyMaintained: noYes(),
  },
};

export const ContactPersons: EntitySetDef = {
  name: 'ContactPersons',
  entityType: 'ContactPerson',
  key: ['dataAreaId', 'ContactPersonId'],
  properties: {
    ...company,
    ContactPersonId: required(str(20)),
    FirstName: str(25),
    LastName: str(25),
    ContactPersonName: readOnly(str(100)),
    ContactPersonPartyNumber: readOnly(str(20)),
    AssociatedPartyNumber: str(20),
    PrimaryEmailAddress: str(255),
    PrimaryPhoneNumber: str(255),
    EmploymentJobTitle: str(60),
    ...address('PrimaryAddress', 'StateId'),
    IsContactPersonExternallyMaintained: noYes(),
    IsInactive: noYes(),
    LastEditDateTime: readOnly(required(dateTime())),
  },
};

export const SalesQuotationHeadersV2: EntitySetDef = {
  name: 'SalesQuotationHeadersV2',
  entityType: 'SalesQuotationHeaderV2',
  key: ['dataAreaId', 'SalesQuotationNumber'],
  properties: {
    ...company,
    SalesQuotationNumber: required(str(20)),
    SalesQuotationName: str(60),
    SalesQuotationStatus: enumOf('SalesQuotationStatus', quotationStatuses),
    RequestingCustomerAccountNumber: str(20),
    InvoiceCustomerAccountNumber: str(20),
    CurrencyCode: str(3),
    SalesQuotationExpiryDate: required(dateTime()),
    RequestedShippingDate: required(dateTime()),
    ...address('DeliveryAddress', 'StateId'),
    CustomersReference: str(60),
    LanguageId: str(7),
  },
  expansions: {
    SalesQuotationLines: {
      target: 'SalesQuotationLines',
      cardinality: 'many',
      via: 'SalesQuotationNumber',
      alsoMatch: ['dataAreaId'],
      references: 'SalesQuotationNumber',
    },
  },
};

export const SalesQuotationLines: EntitySetDef = {
  name: 'SalesQuotationLines',
  entityType: 'SalesQuotationLine',
  key: ['dataAreaId', 'InventoryLotId'],
  properties: {
    ...company,
    InventoryLotId: readOnly(required(str(20))),
    SalesQuotationNumber: str(20),
    LineCreationSequenceNumber: required(int32()),
    ItemNumber: str(20),
    RequestedSalesQuantity: required(decimal()),
    SalesPrice: required(decimal()),
    SalesUnitSymbol: str(10),
    LineDiscountAmount: required(decimal()),
    LineAmount: readOnly(required(decimal())),
    LineDescription: str(1000),
  },
};

/**
 * Sales order headers. Finance assigns the status (by posting), the customers' "externally maintained"
 * flags (from the customers) and the totals ("Calculate sales totals", run by the simulator at every
 * change of the order), so those are read-only.
 */
export const SalesOrderHeadersV2: EntitySetDef = {
  name: 'SalesOrderHeadersV2',
  entityType: 'SalesOrderHeaderV2',
  key: ['dataAreaId', 'SalesOrderNumber'],
  properties: {
    ...company,
    SalesOrderNumber: required(str(20)),
    SalesOrderName: str(60),
    SalesOrderProcessingStatus: readOnly(enumOf('SalesOrderProcessingStatus', financeOrderStatuses)),
    OrderingCustomerAccountNumber: str(20),
    InvoiceCustomerAccountNumber: str(20),
    OrderingCustomerIsExternallyMaintained: readOnly(noYes()),
    InvoiceCustomerIsExternallyMaintained: readOnly(noYes()),
    CurrencyCode: str(3),
    RequestedShippingDate: required(dateTime()),
    ConfirmedShippingDate: dateTime(),
    ...address('DeliveryAddress', 'StateId'),
    CustomersOrderReference: str(60),
    LanguageId: str(7),
    OrderTotalAmount: readOnly(required(decimal())),
    OrderTotalDiscountAmount: readOnly(required(decimal())),
    OrderTotalTaxAmount: readOnly(required(decimal())),
    OrderTotalChargesAmount: readOnly(required(decimal())),
  },
  expansions: {
    SalesOrderLines: {
      target: 'SalesOrderLines',
      cardinality: 'many',
      via: 'SalesOrderNumber',
      alsoMatch: ['dataAreaId'],
      references: 'SalesOrderNumber',
    },
  },
};

/** Sales order lines; `LineDiscountAmount` is per unit, as in Finance. */
export const SalesOrderLines: EntitySetDef = {
  name: 'SalesOrderLines',
  entityType: 'SalesOrderLine',
  key: ['dataAreaId', 'InventoryLotId'],
  properties: {
    ...company,
    InventoryLotId: readOnly(required(str(20))),
    SalesOrderNumber: str(20),
    LineCreationSequenceNumber: required(int32()),
    ItemNumber: str(20),
    OrderedSalesQuantity: required(decimal()),
    SalesPrice: required(decimal()),
    SalesUnitSymbol: str(10),
    LineDiscountAmount: required(decimal()),
    LineAmount: readOnly(required(decimal())),
    LineTotalTaxAmount: readOnly(required(decimal())),
    SalesOrderLineStatus: readOnly(enumOf('SalesOrderLineStatus', financeOrderLineStatuses)),
    LineDescription: str(1000),
  },
};

/** Charges on a sales order header (freight, handling); a fixed amount, possibly negative. */
export const SalesOrderHeaderCharges: EntitySetDef = {
  name: 'SalesOrderHeaderCharges',
  entityType: 'SalesOrderHeaderCharge',
  key: ['dataAreaId', 'SalesOrderNumber', 'SalesChargeCode'],
  properties: {
    ...company,
    SalesOrderNumber: required(str(20)),
    SalesChargeCode: required(str(10)),
    FixedChargeAmount: required(decimal()),
    ChargeDescription: str(60),
  },
};

/** Charges on one sales order line, such as the −0.01 discount rounding charge. */
export const SalesOrderLineCharges: EntitySetDef = {
  name: 'SalesOrderLineCharges',
  entityType: 'SalesOrderLineCharge',
  key: ['dataAreaId', 'SalesOrderNumber', 'LineCreationSequenceNumber', 'SalesChargeCode'],
  properties: {
    ...company,
    SalesOrderNumber: required(str(20)),
    LineCreationSequenceNumber: required(int32()),
    SalesChargeCode: required(str(10)),
    FixedChargeAmount: required(decimal()),
    ChargeDescription: str(60),
  },
};

/**
 * Posted sales invoices: an order's invoice or a free-text invoice (no `SalesOrderNumber`). Finance
 * creates them by posting; the behaviour refuses every write to them.
 */
export const SalesInvoiceHeadersV2: EntitySetDef = {
  name: 'SalesInvoiceHeadersV2',
  entityType: 'SalesInvoiceHeaderV2',
  key: ['dataAreaId', 'InvoiceNumber'],
  properties: {
    ...company,
    InvoiceNumber: required(str(20)),
    InvoiceDate: dateTime(),
    SalesOrderNumber: str(20),
    InvoiceCustomerAccountNumber: str(20),
    CurrencyCode: str(3),
    LedgerVoucher: str(20),
    ...address('InvoiceAddress', 'StateId'),
    TotalInvoiceAmount: required(decimal()),
    TotalTaxAmount: required(decimal()),
    TotalChargeAmount: required(decimal()),
    TotalDiscountAmount: required(decimal()),
    ChargeDescription: str(255),
  },
  expansions: {
    SalesInvoiceLinesV2: {
      target: 'SalesInvoiceLinesV2',
      cardinality: 'many',
      via: 'InvoiceNumber',
      alsoMatch: ['dataAreaId'],
      references: 'InvoiceNumber',
    },
  },
};

/** Posted sales invoice lines; a free-text line has no `ProductNumber`. */
export const SalesInvoiceLinesV2: EntitySetDef = {
  name: 'SalesInvoiceLinesV2',
  entityType: 'SalesInvoiceLineV2',
  key: ['dataAreaId', 'InvoiceNumber', 'LineCreationSequenceNumber'],
  properties: {
    ...company,
    InvoiceNumber: required(str(20)),
    LineCreationSequenceNumber: required(int32()),
    ProductNumber: str(20),
    InvoicedQuantity: required(decimal()),
    SalesUnitSymbol: str(10),
    SalesPrice: required(decimal()),
    LineAmount: required(decimal()),
    LineTotalDiscountAmount: required(decimal()),
    LineTotalTaxAmount: required(decimal()),
    LineDescription: str(1000),
  },
};

export const SellableReleasedProducts: EntitySetDef = {
  name: 'SellableReleasedProducts',
  entityType: 'SellableReleasedProduct',
  key: ['dataAreaId', 'ProductNumber'],
  properties: {
    ...company,
    ProductNumber: required(str(20)),
    ProductName: str(60),
    ProductDescription: str(1000),
    ProductType: enumOf('EcoResProductType', ['Item', 'Service']),
    SalesPrice: required(decimal()),
    UnitCost: required(decimal()),
    CurrencyCode: str(3),
    SalesUnitSymbol: str(10),
    SalesUnitDecimalPrecision: required(int32()),
    IsSalesStopped: noYes(),
  },
};

export const financeEntitySets: readonly EntitySetDef[] = [
  LegalEntities,
  CustomerGroups,
  CustomersV3,
  ContactPersons,
  SalesQuotationHeadersV2,
  SalesQuotationLines,
  SellableReleasedProducts,
  SalesOrderHeadersV2,
  SalesOrderLines,
  SalesOrderHeaderCharges,
  SalesOrderLineCharges,
  SalesInvoiceHeadersV2,
  SalesInvoiceLinesV2,
];
