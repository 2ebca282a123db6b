/**
 * The shared resource-path parser: actions bound to one entity are taken only when a caller asks, and
 * every other path parses as before.
 */
import { describe, expect, it } from 'vitest';
import { parseResourcePath, type ResourcePath } from '../../src/simulators/core/resource-path.js';

const orderKey = { named: { dataAreaId: 'usmf', SalesOrderNumber: 'SO-1' } };
const postOrder =
  "SalesOrderHeadersV2(dataAreaId='usmf',SalesOrderNumber='SO-1')/Microsoft.Dynamics.DataEntities.PostSalesOrder";

describe('an action bound to one entity', () => {
  it.each([
    [
      postOrder,
      {
        entitySet: 'SalesOrderHeadersV2',
        key: orderKey,
        count: false,
        action: 'Microsoft.Dynamics.DataEntities.PostSalesOrder',
      },
    ],
    [
      postOrder.replaceAll("'", '%27'),
      {
        entitySet: 'SalesOrderHeadersV2',
        key: orderKey,
        count: false,
        action: 'Microsoft.Dynamics.DataEntities.PostSalesOrder',
      },
    ],
    [
      'accounts(00000000-0000-0000-0000-00000000000a)/Microsoft.Dynamics.CRM.X',
      {
        entitySet: 'accounts',
        key: { unnamed: '00000000-0000-0000-0000-00000000000a' },
        count: false,
        action: 'Microsoft.Dynamics.CRM.X',
      },
    ],
  ] satisfies [string, ResourcePath][])('parses %s with entityActions', (path, expected) => {
    expect(parseResourcePath(path, { entityActions: true })).toEqual(expected);
  });

  it('is refused by default, as before', () => {
    expect(() => parseResourcePath(postOrder)).toThrow(
      "The path segment 'Microsoft.Dynamics.DataEntities.PostSalesOrder' is not supported.",
    );
  });

  it.each([
    "SalesOrderHeadersV2(dataAreaId='usmf',SalesOrderNumber='SO-1')/SalesOrderLines",
    "SalesOrderHeadersV2(dataAreaId='usmf',SalesOrderNumber='SO-1')/$count",
    "SalesOrderHeadersV2(dataAreaId='usmf',SalesOrderNumber='SO-1')/Microsoft.Dynamics.DataEntities.PostSalesOrder/x",
  ])('still refuses %s with entityActions', (path) => {
    expect(() => parseResourcePath(path, { entityActions: true })).toThrow(/is not supported/);
  });
});

describe('every other path', () => {
  it.each([
    ['accounts', { entitySet: 'accounts', count: false }],
    [
      "accounts(accountnumber='A''1')",
      { entitySet: 'accounts', key: { named: { accountnumber: "A'1" } }, count: false },
    ],
    ['accounts/$count', { entitySet: 'accounts', count: true }],
    [
      'accounts/Microsoft.Dynamics.CRM.CreateMultiple',
      { entitySet: 'accounts', count: false, action: 'Microsoft.Dynamics.CRM.CreateMultiple' },
    ],
  ] satisfies [string, ResourcePath][])(
    'parses %s the same with or without entityActions',
    (path, expected) => {
      expect(parseResourcePath(path)).toEqual(expected);
      expect(parseResourcePath(path, { entityActions: true })).toEqual(expected);
    },
  );
});
