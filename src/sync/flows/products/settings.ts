/**
 * What the products flow does beyond its field map, set by configuration: the state a new Sales product
 * starts in, the price list it joins, and what becomes of Sales products Finance no longer sells. The
 * reference leaves each to a setting (Draft or Active, a default price list, retire by policy).
 */

/** The states a product the flow creates may start in. */
export const productCreateStates = ['active', 'draft'] as const;
export type ProductCreateState = (typeof productCreateStates)[number];

/** What the flow does with Sales products maintained in Finance that Finance no longer sells. */
export const vanishedProductPolicies = ['report', 'retire'] as const;
export type VanishedProductPolicy = (typeof vanishedProductPolicies)[number];

export interface ProductSettings {
  /**
   * `PRODUCTS_CREATE_STATE`: new products start Active (statecode 0, quotable at once) or Draft
   * (statecode 2, quotable once someone activates them). Only creates: an update never changes a
   * product's state. Default `active`.
   */
  createState: ProductCreateState;
  /**
   * `PRODUCTS_PRICE_LIST`: the name of the price list new products join when it has their currency.
   * Otherwise (and by default, null) they join Microsoft's choice: the first active price list by name
   * with their currency. A product whose currency no price list has fails.
   */
  priceList: string | null;
  /**
   * `PRODUCTS_VANISHED`: `report` names them in the flow's notes; `retire` also sets them to Retired
   * (statecode 1). Default `report`.
   */
  vanished: VanishedProductPolicy;
}

export const defaultProductSettings: Readonly<ProductSettings> = {
  createState: 'active',
  priceList: null,
  vanished: 'report',
};

/** The settings with every one left out taken from the defaults. */
export function productSettings(overrides: Partial<ProductSettings> = {}): ProductSettings {
  return { ...defaultProductSettings, ...withoutUndefined(overrides) };
}

function withoutUndefined<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Partial<T>;
}
