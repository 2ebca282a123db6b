/**
 * The limits take work in proportion to the document, whatever its fragments: every check (the written-out
 * size, depth, aliases, directives, the cost, the mutation count) visits each selection of the document at
 * most once, so a kilobyte of fragments that spread one another twice over (a billion fields written out)
 * is refused at once, and its counts stop at a ceiling instead of growing to Infinity. Measured once per
 * fragment, the answers are those of the document written out in full.
 *
 * The work is counted (selections visited), not timed. The property tests are bounded (a fixed seed and
 * 150 runs) so a failure replays the same way.
 */
import fc from 'fast-check';
import * as graphql from 'graphql';
import type {
  DocumentNode,
  FragmentDefinitionNode,
  OperationDefinitionNode,
  SelectionNode,
  SelectionSetNode,
} from 'graphql';
import { describe, expect, it } from 'vitest';
import { costCeiling, operationCost } from '../../src/graphql/cost.js';
import { createShapeMeter, type OperationShape, shapeCeiling } from '../../src/graphql/operation-shape.js';
import { createSchema } from '../../src/graphql/schema.js';
import {
  checkOperation,
  checkSource,
  defaultLimits,
  type HubLimits,
  limitMessages,
  validationRules,
} from '../../src/server/limits.js';
import { createTokenBucketLimiter } from '../../src/server/rate-limit.js';
import { fanOut, largestFanOut } from '../support/hostile-documents.js';

const schema = createSchema();
const seed = 20_260_131;

// ------------------------------------------------------------------------------------------ documents

/** Fields, inline fragments and spreads in the document as written: the size the work is bounded by. */
function selectionsIn(document: DocumentNode): number {
  let count = 0;
  const counted = () => void (count += 1);
  graphql.visit(document, { Field: counted, InlineFragment: counted, FragmentSpread: counted });
  return count;
}

/** A counter of visited selections, for the checks' `onVisit`. */
function visitCounter(): { onVisit: (selection: SelectionNode) => void; readonly visits: number } {
  let visits = 0;
  return {
    onVisit: () => void (visits += 1),
    get visits() {
      return visits;
    },
  };
}

// ------------------------------------------------------------------------------------------ reference

/**
 * The document with every spread replaced by its fragment, as an inline fragment on the fragment's type
 * carrying the spread's and the fragment's directives: no fragment left to remember.
 */
function writtenOut(document: DocumentNode): DocumentNode {
  const fragments = new Map<string, FragmentDefinitionNode>();
  for (const definition of document.definitions)
    if (definition.kind === graphql.Kind.FRAGMENT_DEFINITION)
      fragments.set(definition.name.value, definition);
  const expand = (set: SelectionSetNode): SelectionSetNode => ({
    ...set,
    selections: set.selections.map((selection): SelectionNode => {
      if (selection.kind === graphql.Kind.FIELD)
        return selection.selectionSet
          ? { ...selection, selectionSet: expand(selection.selectionSet) }
          : selection;
      if (selection.kind === graphql.Kind.INLINE_FRAGMENT)
        return { ...selection, selectionSet: expand(selection.selectionSet) };
      const fragment = fragments.get(selection.name.value)!;
      return {
        kind: graphql.Kind.INLINE_FRAGMENT,
        typeCondition: fragment.typeCondition,
        directives: [...(selection.directives ?? []), ...(fragment.directives ?? [])],
        selectionSet: expand(fragment.selectionSet),
      };
    }),
  });
  return {
    kind: graphql.Kind.DOCUMENT,
    definitions: document.definitions.flatMap((definition) =>
      definition.kind === graphql.Kind.OPERATION_DEFINITION
        ? [{ ...definition, selectionSet: expand(definition.selectionSet) }]
        : [],
    ),
  };
}

/** The shape of a document without fragments, counted node by node. */
function referenceShape(document: DocumentNode): OperationShape {
  const shape = { depth: 0, aliases: 0, directives: 0, fields: 0 };
  graphql.visit(document, {
    Field(field) {
      shape.fields += 1;
      if (field.alias) shape.aliases += 1;
    },
    Directive() {
      shape.directives += 1;
    },
  });
  const depthOf = (set: SelectionSetNode): number =>
    Math.max(
      0,
      ...set.selections.map((selection) => {
        if (selection.kind !== graphql.Kind.FIELD)
          return depthOf((selection as { selectionSet: SelectionSetNode }).selectionSet);
        if (selection.name.value === '__schema') return 0;
        return 1 + (selection.selectionSet ? depthOf(selection.selectionSet) : 0);
      }),
    );
  shape.depth = depthOf((document.definitions[0] as OperationDefinitionNode).selectionSet);
  return shape;
}

/**
 * The cost of a document without fragments, by the definition in src/graphql/cost.ts: every object field
 * counts once for each time it can occur, times the `first` of each list around it (the literal, else the
 * schema's default).
 */
function referenceCost(document: DocumentNode): number {
  const walk = (set: SelectionSetNode, type: graphql.GraphQLNamedType, multiplier: number): number => {
    let cost = 0;
    for (const selection of set.selections) {
      if (selection.kind === graphql.Kind.FIELD) {
        if (selection.name.value.startsWith('__') || !selection.selectionSet) continue;
        const field = (type as graphql.GraphQLObjectType).getFields()[selection.name.value]!;
        const given = selection.arguments?.find((argument) => argument.name.value === 'first')?.value;
        const fallback = field.args.find((argument) => argument.name === 'first')?.defaultValue;
        const first =
          given?.kind === graphql.Kind.INT ? Number(given.value) : (fallback as number | undefined);
        const named = graphql.getNamedType(field.type);
        cost += multiplier + walk(selection.selectionSet, named, multiplier * (first ?? 1));
      } else if (selection.kind === graphql.Kind.INLINE_FRAGMENT) {
        const condition = selection.typeCondition && schema.getType(selection.typeCondition.name.value);
        cost += walk(selection.selectionSet, condition ?? type, multiplier);
      }
    }
    return cost;
  };
  return walk((document.definitions[0] as OperationDefinitionNode).selectionSet, schema.getQueryType()!, 1);
}

// ------------------------------------------------------------------------------------------ generator

type TypeName = 'Query' | 'Account' | 'Contact';

/** A field as the generator writes it: its text, and the type of what it selects when it is an object. */
interface FieldSpec {
  name: string;
  args?: string;
  /** Takes `first` (a list the caller sizes). */
  sized?: boolean;
  /** The object type selected, rendered from the generated children. */
  type?: TypeName;
  /** A fixed selection (an object the generator does not recurse into). */
  fixed?: string;
  /** What wraps the children (`{ nodes { … } }` of a connection). */
  wrap?: (inner: string) => string;
}

const fieldsOf: Record<TypeName, FieldSpec[]> = {
  Query: [
    { name: 'account', args: 'accountNumber: "A"', type: 'Account' },
    { name: 'contact', args: 'contactNumber: "C"', type: 'Contact' },
    { name: 'accounts', sized: true, type: 'Account', wrap: (inner) => `{ nodes { ${inner} } }` },
    { name: 'syncFlows', fixed: '{ name }' },
    { name: '__schema', fixed: '{ types { name fields { name } } }' },
    { name: '__typename' },
  ],
  Account: [
    { name: 'name' },
    { name: 'accountNumber' },
    { name: 'contacts', sized: true, type: 'Contact' },
    { name: 'finance', fixed: '{ CustomerAccount }' },
    { name: '__typename' },
  ],
  Contact: [{ name: 'fullName' }, { name: 'account', type: 'Account' }, { name: '__typename' }],
};

type Selection =
  | {
      kind: 'field';
      pick: number;
      alias: boolean;
      directive: boolean;
      first: number | null;
      children: Selection[];
    }
  | { kind: 'spread'; pick: number; directive: boolean }
  | { kind: 'inline'; typed: boolean; directive: boolean; children: Selection[] };

interface FragmentPlan {
  type: TypeName;
  directive: boolean;
  body: Selection[];
}

function selectionsArbitrary(maxLength: number): fc.Arbitrary<Selection[]> {
  const { selections } = fc.letrec((tie) => ({
    selection: fc.oneof(
      { depthSize: 'small', withCrossShrink: true },
      // Spreads weigh more, so fragments are spread many times over, the same one often twice in a set.
      {
        weight: 2,
        arbitrary: fc.record({ kind: fc.constant('spread'), pick: fc.nat(), directive: fc.boolean() }),
      },
      {
        weight: 2,
        arbitrary: fc.record({
          kind: fc.constant('field'),
          pick: fc.nat(),
          alias: fc.boolean(),
          directive: fc.boolean(),
          first: fc.option(fc.integer({ min: 1, max: 500 })),
          children: tie('selections'),
        }),
      },
      {
        weight: 1,
        arbitrary: fc.record({
          kind: fc.constant('inline'),
          typed: fc.boolean(),
          directive: fc.boolean(),
          children: tie('selections'),
        }),
      },
    ),
    selections: fc.array(tie('selection'), { maxLength }),
  }));
  return selections as fc.Arbitrary<Selection[]>;
}

/**
 * A query and its fragments: a DAG (a fragment spreads only fragments defined after it, on its own type),
 * with aliases, directives on anything that takes them, nested lists sized or not, and spreads repeated.
 */
function documentArbitrary({ fragments, width }: { fragments: number; width: number }): fc.Arbitrary<string> {
  const body = selectionsArbitrary(width);
  const plan = fc.record({
    operation: fc.record({ directive: fc.boolean(), body }),
    fragments: fc.array(
      fc.record({
        type: fc.constantFrom<TypeName>('Query', 'Account', 'Contact'),
        directive: fc.boolean(),
        body,
      }),
      { maxLength: fragments },
    ),
  });
  return plan.map(({ operation, fragments: planned }) => render(operation, planned));
}

function render(operation: { directive: boolean; body: Selection[] }, fragments: FragmentPlan[]): string {
  let aliases = 0;
  const directive = (yes: boolean, pick = 0) =>
    yes ? (pick % 2 === 0 ? ' @include(if: true)' : ' @skip(if: false)') : '';
  const set = (selections: Selection[], type: TypeName, within: number): string => {
    const parts = selections.flatMap((selection): string[] => {
      if (selection.kind === 'spread') {
        const candidates = fragments.flatMap((fragment, index) =>
          index > within && fragment.type === type ? [index] : [],
        );
        if (candidates.length === 0) return [];
        const target = candidates[selection.pick % candidates.length]!;
        return [`...F${target}${directive(selection.directive, selection.pick)}`];
      }
      if (selection.kind === 'inline') {
        const condition = selection.typed ? ` on ${type}` : '';
        return [`...${condition}${directive(selection.directive)} ${set(selection.children, type, within)}`];
      }
      const spec = fieldsOf[type][selection.pick % fieldsOf[type].length]!;
      const alias = selection.alias ? `a${(aliases += 1)}: ` : '';
      const args = [
        ...(spec.args ? [spec.args] : []),
        ...(spec.sized && selection.first !== null ? [`first: ${selection.first}`] : []),
      ];
      const head = `${alias}${spec.name}${args.length > 0 ? `(${args.join(', ')})` : ''}${directive(selection.directive, selection.pick)}`;
      if (spec.fixed) return [`${head} ${spec.fixed}`];
      if (!spec.type) return [head];
      const inner = set(selection.children, spec.type, within);
      return [`${head} ${spec.wrap ? spec.wrap(inner.slice(2, -2)) : inner}`];
    });
    // A selection set is never empty.
    return `{ ${parts.length > 0 ? parts.join(' ') : '__typename'} }`;
  };
  const definitions = fragments.map(
    (fragment, index) =>
      `fragment F${index} on ${fragment.type}${directive(fragment.directive)} ${set(fragment.body, fragment.type, index)}`,
  );
  return [`query${directive(operation.directive)} ${set(operation.body, 'Query', -1)}`, ...definitions].join(
    ' ',
  );
}

// ------------------------------------------------------------------------------------------ checks

/** Limits so low that every measure over zero is reported, with its number. */
const reportEverything: HubLimits = { ...defaultLimits, maxDepth: 0, maxAliases: 0, maxDirectives: 0 };
/** Limits so high that the checks before parsing let everything through to the written-out check. */
const roomy: HubLimits = { ...defaultLimits, maxTokens: 1_000_000, maxDocumentChars: 10_000_000 };

interface Checked {
  cost: number;
  shape: OperationShape;
  /** What the validation rule reported: code and `actual`. */
  reported: [unknown, unknown][];
  /** Selections visited by each check. */
  visits: { cost: number; shape: number; rule: number; source: number };
}

function checkAll(source: string): Checked {
  const document = graphql.parse(source);
  const operation = graphql.getOperationAST(document)!;
  const counters = {
    cost: visitCounter(),
    shape: visitCounter(),
    rule: visitCounter(),
    source: visitCounter(),
  };
  const cost = operationCost(schema, document, operation, {}, { onVisit: counters.cost.onVisit });
  const shape = createShapeMeter(document, { onVisit: counters.shape.onVisit })(operation);
  const errors = graphql.validate(
    schema,
    document,
    validationRules(reportEverything, { onVisit: counters.rule.onVisit }),
  );
  checkSource(source, roomy, { onVisit: counters.source.onVisit });
  return {
    cost,
    shape,
    reported: errors.map((error) => [error.extensions['code'], error.extensions['actual']]),
    visits: {
      cost: counters.cost.visits,
      shape: counters.shape.visits,
      rule: counters.rule.visits,
      source: counters.source.visits,
    },
  };
}

function expectBoundedWork(source: string, checked: Checked): void {
  const selections = selectionsIn(graphql.parse(source));
  for (const [check, visits] of Object.entries(checked.visits))
    expect(visits, `${check}: ${source}`).toBeLessThanOrEqual(selections);
  for (const value of [checked.cost, ...Object.values(checked.shape)]) {
    expect(Number.isSafeInteger(value), source).toBe(true);
    expect(value).toBeGreaterThanOrEqual(0);
  }
  for (const [, actual] of checked.reported)
    if (actual !== undefined) expect(Number.isSafeInteger(actual), source).toBe(true);
}

describe('every limit check, on random fragment graphs', () => {
  it('visits each selection of the document at most once, and answers as if the fragments were written out', () => {
    fc.assert(
      fc.property(documentArbitrary({ fragments: 6, width: 4 }), (source) => {
        const checked = checkAll(source);
        expectBoundedWork(source, checked);
        // The reference writes every fragment out: small enough here to do so.
        if (checked.shape.fields > 20_000) return;
        const written = writtenOut(graphql.parse(source));
        const reference = referenceShape(written);
        expect(checked.shape, source).toEqual(reference);
        const cost = referenceCost(written);
        expect(checked.cost, source).toBe(cost < costCeiling ? cost : costCeiling);
        expect(checked.reported, source).toEqual(
          [
            ['QUERY_TOO_DEEP', reference.depth],
            ['TOO_MANY_ALIASES', reference.aliases],
            ['TOO_MANY_DIRECTIVES', reference.directives],
          ].filter(([, actual]) => (actual as number) > 0),
        );
      }),
      { seed, numRuns: 150 },
    );
  });

  it('stays within the bound on large graphs of fragments spreading one another many times over', () => {
    fc.assert(
      fc.property(documentArbitrary({ fragments: 40, width: 6 }), (source) => {
        expectBoundedWork(source, checkAll(source));
      }),
      { seed, numRuns: 60 },
    );
  });
});

// ------------------------------------------------------------------------------------------ the fan-out

describe('a document whose fragments spread the next one twice, as large as the token limit allows', () => {
  const leaves = [
    ['__typename', '__typename'],
    ['a list of objects', 'accounts(first: 1) { nodes { accountNumber } }'],
    ['an alias', 't: __typename'],
    ['a directive', '__typename @include(if: true)'],
  ];

  it.each(leaves)('is refused before validation as too many tokens written out (%s)', (_name, leaf) => {
    const count = largestFanOut(leaf);
    expect(count).toBeGreaterThan(90);
    const source = fanOut(count, leaf);
    const counter = visitCounter();
    const refusal = checkSource(source, defaultLimits, { onVisit: counter.onVisit });
    expect(refusal).toMatchObject({
      message: limitMessages.tooManyTokensWrittenOut(defaultLimits.maxTokens),
      extensions: { code: 'TOO_MANY_TOKENS', limit: defaultLimits.maxTokens },
    });
    expect(refusal?.extensions).not.toHaveProperty('actual');
    // {...G0}, two spreads in each fragment but the last, and the leaf's selections.
    expect(counter.visits).toBe(selectionsIn(graphql.parse(source)));
  });

  it.each(leaves)('is measured and costed in one visit of each selection (%s)', (_name, leaf) => {
    const source = fanOut(largestFanOut(leaf), leaf);
    expectBoundedWork(source, checkAll(source));
  });

  it('reports counts past the ceiling as "more than" the limit, never a number it cannot hold', () => {
    const aliases = fanOut(largestFanOut('t: __typename'), 't: __typename');
    const [aliasError] = graphql.validate(schema, graphql.parse(aliases), validationRules(defaultLimits));
    expect(aliasError).toMatchObject({
      message: limitMessages.tooManyAliases(15, undefined),
      extensions: { code: 'TOO_MANY_ALIASES', limit: 15 },
    });
    expect(aliasError?.extensions).not.toHaveProperty('actual');
    expect(
      createShapeMeter(graphql.parse(aliases))(graphql.getOperationAST(graphql.parse(aliases))!),
    ).toMatchObject({ aliases: shapeCeiling, fields: shapeCeiling, depth: 1 });
  });

  it('is refused as too costly, "more than" the limit, when the token check is left out', async () => {
    const leaf = 'accounts(first: 1) { nodes { accountNumber } }';
    const document = graphql.parse(fanOut(largestFanOut(leaf), leaf));
    const operation = graphql.getOperationAST(document)!;
    expect(operationCost(schema, document, operation, {})).toBe(costCeiling);
    const refusal = await checkOperation(
      { schema, document, operation, variables: {}, principal: undefined },
      defaultLimits,
      createTokenBucketLimiter({ perMinute: 30 }),
    );
    expect(refusal).toMatchObject({
      message: limitMessages.queryTooCostly(defaultLimits.maxCost, undefined),
      extensions: { code: 'QUERY_TOO_COSTLY', limit: defaultLimits.maxCost },
    });
    expect(refusal?.extensions).not.toHaveProperty('actual');
  });

  it('counts the mutations of a mutation of fragments without writing them out', async () => {
    const limiter = createTokenBucketLimiter({ perMinute: 3 });
    const check = (source: string) => {
      const document = graphql.parse(source);
      const operation = graphql.getOperationAST(document)!;
      return checkOperation(
        { schema, document, operation, variables: {}, principal: undefined },
        defaultLimits,
        limiter,
      );
    };
    // Costs nothing and runs no mutation.
    expect(
      await check(fanOut(largestFanOut('__typename', 'mutation'), '__typename', 'mutation')),
    ).toBeUndefined();
    // A fragment's mutations count at each spread of it.
    const twice =
      'mutation { ...M ...M } fragment M on Mutation { a: cancelSync(id: "1") { id } b: cancelSync(id: "2") { id } }';
    expect(await check(twice)).toMatchObject({
      message: limitMessages.tooManyMutations(3, 4),
      extensions: { code: 'RATE_LIMITED', limit: 3, actual: 4 },
    });
  });
});
