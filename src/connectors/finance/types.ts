/**
 * Typed Finance (F&O) records as the connector returns them: data-entity property names as F&O spells
 * them, decimals as exact decimal text, enums as member names, and the row's ETag.
 */

export type Decimal = string;
export type NoYes = 'No' | 'Yes';

interface CompanyRecord {
  etag: string;
  dataAreaId: string;
}

export interface FinanceCustomer extends CompanyRecord {
  CustomerAccount: string;
  OrganizationName: string | null;
  PartyType: string | null;
  PartyNumber: string | null;
  PersonFirstName: string | null;
  PersonLastName: string | null;
  CustomerGroupId: string | null;
  SalesCurrencyCode: string | null;
  CreditLimit: Decimal | null;
  LanguageId: string | null;
  PrimaryContactEmail: string | null;
  PrimaryContactPhone: string | null;
  PrimaryContactURL: string | null;
  PrimaryContactFax: string | null;
  SalesMemo: string | null;
  DeliveryAddressStreet: string | null;
  DeliveryAddressCity: string | null;
  DeliveryAddressState: string | null;
  DeliveryAddressZipCode: string | null;
  DeliveryAddressCountryRegionISOCode: string | null;
  InvoiceAddressStreet: string | null;
  InvoiceAddressCity: string | null;
  InvoiceAddressState: string | null;
  InvoiceAddressZipCode: string | null;
  InvoiceAddressCountryRegionISOCode: string | null;
  SiteId: string | null;
  WarehouseId: string | null;
  IsExternallyMaintained: NoYes | null;
}

export interface FinanceContactPerson extends CompanyRecord {
  ContactPersonId: string;
  FirstName: string | null;
  LastName: string | null;
  ContactPersonName: string | null;
  ContactPersonPartyNumber: string | null;
  AssociatedPartyNumber: string | null;
  PrimaryEmailAddress: string | null;
  PrimaryPhoneNumber: string | null;
  EmploymentJobTitle: string | null;
  PrimaryAddressStreet: string | null;
  PrimaryAddressCity: string | null;
  PrimaryAddressStateId: string | null;
  PrimaryAddressZipCode: string | null;
  PrimaryAddressCountryRegionISOCode: string | null;
  IsContactPersonExternallyMaintained: NoYes | null;
  IsInactive: NoYes | null;
  LastEditDateTime: string | null;
}

export interface FinanceQuoteHeader extends CompanyRecord {
  SalesQuotationNumber: string;
  SalesQuotationName: string | null;
  SalesQuotationStatus: string | null;
  RequestingCustomerAccountNumber: string | null;
  InvoiceCustomerAccountNumber: string | null;
  CurrencyCode: string | null;
  SalesQuotationExpiryDate: string | null;
  RequestedShippingDate: string | null;
  DeliveryAddressStreet: string | null;
  DeliveryAddressCity: string | null;
  DeliveryAddressStateId: string | null;
  DeliveryAddressZipCode: string | null;
  DeliveryAddressCountryRegionISOCode: string | null;
  CustomersReference: string | null;
  LanguageId: string | null;
}

export interface FinanceQuoteLine extends CompanyRecord {
  InventoryLotId: string;
  SalesQuotationNumber: string | null;
  LineCreationSequenceNumber: number | null;
  ItemNumber: string | null;
  RequestedSalesQuantity: Decimal | null;
  SalesPrice: Decimal | null;
  SalesUnitSymbol: string | null;
  LineDiscountAmount: Decimal | null;
  LineAmount: Decimal | null;
  LineDescription: string | null;
}

export interface FinanceProduct extends CompanyRecord {
  ProductNumber: string;
  ProductName: string | null;
  ProductDescription: string | null;
  ProductType: 'Item' | 'Service' | null;
  SalesPrice: Decimal | null;
  UnitCost: Decimal | null;
  CurrencyCode: string | null;
  SalesUnitSymbol: string | null;
  SalesUnitDecimalPrecision: number | null;
  IsSalesStopped: NoYes | null;
}

export interface FinanceCustomerGroup extends CompanyRecord {
  CustomerGroupId: string;
  Description: string | null;
}

export interface FinanceLegalEntity {
  etag: string;
  LegalEntityId: string;
  Name: string | null;
}

/**
 * Finance's processing status of a sales order, in the order an order moves through it (`None` is an
 * open order, not yet confirmed). Finance sets it by posting documents (confirmation, picking list,
 * packing slip, invoice), never by a plain write.
 */
export const financeOrderStatuses = [
  'None',
  'Confirmed',
  'PartiallyPicked',
  'Picked',
  'PartiallyPacked',
  'Packed',
  'PartiallyDelivered',
  'Delivered',
  'PartiallyInvoiced',
  'Invoiced',
  'Cancelled',
] as const;
export type FinanceOrderStatus = (typeof financeOrderStatuses)[number];

/** The status of one sales order line. */
export const financeOrderLineStatuses = ['Backorder', 'Delivered', 'Invoiced', 'Cancelled'] as const;
export type FinanceOrderLineStatus = (typeof financeOrderLineStatuses)[number];

/** A sales order header (`SalesOrderHeadersV2`); the totals are Finance's "Calculate sales totals". */
export interface FinanceOrderHeader extends CompanyRecord {
  SalesOrderNumber: string;
  SalesOrderName: string | null;
  SalesOrderProcessingStatus: FinanceOrderStatus | null;
  OrderingCustomerAccountNumber: string | null;
  InvoiceCustomerAccountNumber: string | null;
  /** Whether the ordering (invoice) customer is mastered in Sales; Finance derives both from the customer. */
  OrderingCustomerIsExternallyMaintained: NoYes | null;
  InvoiceCustomerIsExternallyMaintained: NoYes | null;
  CurrencyCode: string | null;
  RequestedShippingDate: string | null;
  ConfirmedShippingDate: string | null;
  DeliveryAddressStreet: string | null;
  DeliveryAddressCity: string | null;
  DeliveryAddressStateId: string | null;
  DeliveryAddressZipCode: string | null;
  DeliveryAddressCountryRegionISOCode: string | null;
  CustomersOrderReference: string | null;
  LanguageId: string | null;
  OrderTotalAmount: Decimal | null;
  OrderTotalDiscountAmount: Decimal | null;
  OrderTotalTaxAmount: Decimal | null;
  OrderTotalChargesAmount: Decimal | null;
}

/** A sales order line (`SalesOrderLines`). `LineDiscountAmount` is per unit, as in Finance. */
export interface FinanceOrderLine extends CompanyRecord {
  InventoryLotId: string;
  SalesOrderNumber: string | null;
  LineCreationSequenceNumber: number | null;
  ItemNumber: string | null;
  OrderedSalesQuantity: Decimal | null;
  SalesPrice: Decimal | null;
  SalesUnitSymbol: string | null;
  LineDiscountAmount: Decimal | null;
  LineAmount: Decimal | null;
  LineTotalTaxAmount: Decimal | null;
  SalesOrderLineStatus: FinanceOrderLineStatus | null;
  LineDescription: string | null;
}

/** A charge on a sales order header (`SalesOrderHeaderCharges`): freight, handling. */
export interface FinanceOrderHeaderCharge extends CompanyRecord {
  SalesOrderNumber: string;
  SalesChargeCode: string;
  FixedChargeAmount: Decimal | null;
  ChargeDescription: string | null;
}

/** A charge on one sales order line (`SalesOrderLineCharges`), such as the discount rounding charge. */
export interface FinanceOrderLineCharge extends CompanyRecord {
  SalesOrderNumber: string;
  LineCreationSequenceNumber: number;
  SalesChargeCode: string;
  FixedChargeAmount: Decimal | null;
  ChargeDescription: string | null;
}

/**
 * A posted sales invoice (`SalesInvoiceHeadersV2`): an order's invoice, or a free-text invoice (no
 * `SalesOrderNumber`). Finance creates them by posting; they are never written over OData.
 */
export interface FinanceInvoiceHeader extends CompanyRecord {
  InvoiceNumber: string;
  InvoiceDate: string | null;
  SalesOrderNumber: string | null;
  InvoiceCustomerAccountNumber: string | null;
  CurrencyCode: string | null;
  LedgerVoucher: string | null;
  InvoiceAddressStreet: string | null;
  InvoiceAddressCity: string | null;
  InvoiceAddressStateId: string | null;
  InvoiceAddressZipCode: string | null;
  InvoiceAddressCountryRegionISOCode: string | null;
  TotalInvoiceAmount: Decimal | null;
  TotalTaxAmount: Decimal | null;
  TotalChargeAmount: Decimal | null;
  TotalDiscountAmount: Decimal | null;
  /** The header charges' own description ("Freight"), empty when the invoice has none. */
  ChargeDescription: string | null;
}

/** A posted sales invoice line (`SalesInvoiceLinesV2`). A free-text line has no `ProductNumber`. */
export interface FinanceInvoiceLine extends CompanyRecord {
  InvoiceNumber: string;
  LineCreationSequenceNumber: number;
  ProductNumber: string | null;
  InvoicedQuantity: Decimal | null;
  SalesUnitSymbol: string | null;
  SalesPrice: Decimal | null;
  LineAmount: Decimal | null;
  LineTotalDiscountAmount: Decimal | null;
  LineTotalTaxAmount: Decimal | null;
  LineDescription: string | null;
}

/** Every entity kind the Finance connector reads and writes, by name. */
export interface FinanceRecords {
  customer: FinanceCustomer;
  contactPerson: FinanceContactPerson;
  quoteHeader: FinanceQuoteHeader;
  quoteLine: FinanceQuoteLine;
  orderHeader: FinanceOrderHeader;
  orderLine: FinanceOrderLine;
  orderHeaderCharge: FinanceOrderHeaderCharge;
  orderLineCharge: FinanceOrderLineCharge;
  invoiceHeader: FinanceInvoiceHeader;
  invoiceLine: FinanceInvoiceLine;
  product: FinanceProduct;
  customerGroup: FinanceCustomerGroup;
  legalEntity: FinanceLegalEntity;
}

export type FinanceKind = keyof FinanceRecords;
