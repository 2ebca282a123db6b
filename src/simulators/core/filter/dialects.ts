/** The per-system differences in what `$filter` accepts; everything else in the engine is shared. */

/** What one system accepts in `$filter`. */
export interface FilterDialect {
  system: 'sales' | 'finance';
  /** Sales: Microsoft.Dynamics.CRM.In(PropertyName='accountnumber',PropertyValues=['A','B']) and other CRM query functions are allowed; Finance: not. */
  crmFunctions: boolean;
  /** Finance: `Name eq '*abc*'` / 'abc*' / '*abc' are wildcard matches (contains/startswith/endswith); Sales: a literal '*'. */
  wildcardEquals: boolean;
  /** Finance rejects contains()/startswith()/endswith() (its documented way is eq with wildcards); Sales allows them. */
  stringFunctions: boolean;
  /** OData `in` operator: rejected by both (Dataverse wants CRM.In, F&O has no `in`); keep the flag for clarity. */
  inOperator: boolean;
  /** Arithmetic (add sub mul div mod): Finance yes; Sales no. */
  arithmetic: boolean;
}

/** Dataverse Web API v9.2. */
export const salesDialect: FilterDialect = {
  system: 'sales',
  crmFunctions: true,
  wildcardEquals: false,
  stringFunctions: true,
  inOperator: false,
  arithmetic: false,
};

/** Finance and Operations OData at `/data`. */
export const financeDialect: FilterDialect = {
  system: 'finance',
  crmFunctions: false,
  wildcardEquals: true,
  stringFunctions: false,
  inOperator: false,
  arithmetic: true,
};

/** The system's name as its error messages use it. */
export const systemLabel = { sales: 'Dataverse', finance: 'Finance and Operations' } satisfies Record<
  FilterDialect['system'],
  string
>;
