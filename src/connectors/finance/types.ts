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

/** Every entity kind the Finance connector reads and writes, by name. */
export interface FinanceRecords {
  customer: FinanceCustomer;
  contactPerson: FinanceContactPerson;
  quoteHeader: FinanceQuoteHeader;
  quoteLine: FinanceQuoteLine;
  product: FinanceProduct;
  customerGroup: FinanceCustomerGroup;
  legalEntity: FinanceLegalEntity;
}

export type FinanceKind = keyof FinanceRecords;
