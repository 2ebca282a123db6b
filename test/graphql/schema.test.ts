/**
 * The public schema is a documented contract: it builds from schema/*.graphql, every part of it says what
 * it means, the raw `sales`/`finance` views mirror the connector rows, and the committed resolver types
 * are exactly what the code generator makes of it.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import {
  isEnumType,
  isInputObjectType,
  isInterfaceType,
  isIntrospectionType,
  isObjectType,
  isSpecifiedScalarType,
  type GraphQLSchema,
} from 'graphql';
import { beforeAll, describe, expect, expectTypeOf, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import type * as Finance from '../../src/connectors/finance/types.js';
import type * as Sales from '../../src/connectors/sales/types.js';
import type * as Generated from '../../src/generated/resolvers-types.js';
import { generate, loadSchema, projectRoot } from '../../scripts/codegen.js';

let schema: GraphQLSchema;

beforeAll(async () => {
  schema = await loadSchema();
});

/** Every schema coordinate (`Type`, `Type.field`, `Type.field(arg:)`, `Enum.VALUE`) without a description. */
function undocumented(schema: GraphQLSchema): string[] {
  const missing: string[] = [];
  const check = (coordinate: string, description: string | null | undefined): void => {
    if (!description?.trim()) missing.push(coordinate);
  };
  for (const type of Object.values(schema.getTypeMap())) {
    if (isIntrospectionType(type) || isSpecifiedScalarType(type)) continue;
    check(type.name, type.description);
    if (isObjectType(type) || isInterfaceType(type)) {
      for (const field of Object.values(type.getFields())) {
        check(`${type.name}.${field.name}`, field.description);
        for (const arg of field.args) check(`${type.name}.${field.name}(${arg.name}:)`, arg.description);
      }
    } else if (isInputObjectType(type)) {
      for (const field of Object.values(type.getFields()))
        check(`${type.name}.${field.name}`, field.description);
    } else if (isEnumType(type)) {
      for (const value of type.getValues()) check(`${type.name}.${value.name}`, value.description);
    }
  }
  return missing;
}

describe('the public schema', () => {
  it('builds from schema/*.graphql with the unified read roots', () => {
    const roots = Object.keys(schema.getQueryType()?.getFields() ?? {});
    expect(roots).toEqual(
      expect.arrayContaining([
        'account',
        'accounts',
        'contact',
        'contacts',
        'quote',
        'quotes',
        'product',
        'products',
      ]),
    );
  });

  it('describes every type, field, argument, enum value and input field', () => {
    expect(undocumented(schema)).toEqual([]);
  });

  it('gives every type codegen.yml maps to a model a definition in the schema', async () => {
    const config = parseYaml(await readFile(path.join(projectRoot, 'codegen.yml'), 'utf8')) as {
      generates: Record<string, { config?: { mappers?: Record<string, string> } }>;
    };
    const mapped = Object.values(config.generates).flatMap((output) =>
      Object.keys(output.config?.mappers ?? {}),
    );
    expect(mapped.length).toBeGreaterThan(0);
    expect(mapped.filter((name) => !schema.getType(name))).toEqual([]);
  });

  it('exposes exactly the connector row columns in the raw sales and finance views (checked by tsc)', () => {
    type Columns<T> = Exclude<keyof T, '__typename'>;
    expectTypeOf<Columns<Generated.SalesAccount>>().toEqualTypeOf<keyof Sales.SalesAccount>();
    expectTypeOf<Columns<Generated.SalesContact>>().toEqualTypeOf<keyof Sales.SalesContact>();
    expectTypeOf<Columns<Generated.SalesQuote>>().toEqualTypeOf<keyof Sales.SalesQuote>();
    expectTypeOf<Columns<Generated.SalesQuoteLine>>().toEqualTypeOf<keyof Sales.SalesQuoteLine>();
    expectTypeOf<Columns<Generated.SalesProduct>>().toEqualTypeOf<keyof Sales.SalesProduct>();
    expectTypeOf<Columns<Generated.FinanceCustomer>>().toEqualTypeOf<keyof Finance.FinanceCustomer>();
    expectTypeOf<Columns<Generated.FinanceContactPerson>>().toEqualTypeOf<
      keyof Finance.FinanceContactPerson
    >();
    expectTypeOf<Columns<Generated.FinanceQuotation>>().toEqualTypeOf<keyof Finance.FinanceQuoteHeader>();
    expectTypeOf<Columns<Generated.FinanceQuotationLine>>().toEqualTypeOf<keyof Finance.FinanceQuoteLine>();
    expectTypeOf<Columns<Generated.FinanceProduct>>().toEqualTypeOf<keyof Finance.FinanceProduct>();
    // F&O enums keep their member names, so the raw view's enum types are the connector's unions.
    expectTypeOf<Generated.NoYes>().toEqualTypeOf<Finance.NoYes>();
    expectTypeOf<Generated.FinanceProductType>().toEqualTypeOf<
      NonNullable<Finance.FinanceProduct['ProductType']>
    >();
  });
});

describe("the generated types (resolvers, and the dashboard's operations)", () => {
  it('are what npm run codegen makes of the SDL and codegen.yml (else run it and commit the generated files)', async () => {
    const files = await generate();
    expect(files.map((file) => file.path)).toEqual([
      'src/generated/resolvers-types.ts',
      'dashboard/src/generated/graphql.ts',
    ]);
    for (const file of files) {
      const committed = await readFile(path.join(projectRoot, file.path), 'utf8').catch(() => '(missing)');
      expect(committed, `${file.path} is stale: run npm run codegen`).toBe(file.content);
    }
  });
});
