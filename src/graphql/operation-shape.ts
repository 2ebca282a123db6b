/**
 * How large an operation is once its fragments are written out where they are spread: how deep its fields
 * nest, how many aliases, directives and fields it has. A fragment counts again at every spread of it
 * (`{ ...F ...F }` has F's aliases twice), yet each fragment is measured only once per document and its
 * measure reused, so the work is one visit of each selection the document holds, however the fragments
 * fan out. A document of 30 fragments, each spreading the next twice, has a billion fields written out and
 * is measured in 60 visits.
 *
 * The counts saturate at `shapeCeiling` rather than grow to Infinity. Cycles and unknown fragments (which
 * validation refuses) count nothing, so an unvalidated document is measured too.
 */
import * as graphql from 'graphql';
import type {
  DocumentNode,
  FragmentDefinitionNode,
  OperationDefinitionNode,
  SelectionNode,
  SelectionSetNode,
} from 'graphql';

/** Where the counts stop growing: a count at the ceiling means "this many or more". */
export const shapeCeiling = Number.MAX_SAFE_INTEGER;

export interface OperationShape {
  /** Fields nested in one another, fragments flattened; `__schema` and what is under it are no level. */
  depth: number;
  /** Aliased fields, `__typename` included. */
  aliases: number;
  /** Directives on the operation, its fields, inline fragments, spreads and spread fragments. */
  directives: number;
  /** Field selections. */
  fields: number;
}

export interface ShapeOptions {
  /** Called once for every selection visited: what a test counts to bound the work. */
  onVisit?: (selection: SelectionNode) => void;
}

/** The sum, or the ceiling if it is higher. */
export function saturatingAdd(a: number, b: number): number {
  return Math.min(a + b, shapeCeiling);
}

const none: OperationShape = Object.freeze({ depth: 0, aliases: 0, directives: 0, fields: 0 });

/**
 * A meter for the operations of `document`: call it with each operation to measure. Fragments measured
 * for one operation are not measured again for the next.
 */
export function createShapeMeter(
  document: DocumentNode,
  { onVisit }: ShapeOptions = {},
): (operation: OperationDefinitionNode) => OperationShape {
  const fragments = fragmentsOf(document);
  const measured = new Map<string, OperationShape | 'measuring'>();

  const fragmentShape = (name: string): OperationShape => {
    const known = measured.get(name);
    if (known === 'measuring') return none; // a cycle
    if (known) return known;
    const fragment = fragments.get(name);
    if (!fragment) return none;
    measured.set(name, 'measuring');
    const shape = withDirectives(setShape(fragment.selectionSet), fragment.directives?.length ?? 0);
    measured.set(name, shape);
    return shape;
  };

  const setShape = (set: SelectionSetNode): OperationShape => {
    let { depth, aliases, directives, fields } = none;
    for (const selection of set.selections) {
      onVisit?.(selection);
      directives = saturatingAdd(directives, selection.directives?.length ?? 0);
      let inner: OperationShape;
      if (selection.kind === graphql.Kind.FIELD) {
        fields = saturatingAdd(fields, 1);
        if (selection.alias) aliases = saturatingAdd(aliases, 1);
        inner = selection.selectionSet ? setShape(selection.selectionSet) : none;
        // The Sandbox's introspection query is deep by nature and costs nothing to answer.
        if (selection.name.value !== '__schema') depth = Math.max(depth, 1 + inner.depth);
      } else {
        inner =
          selection.kind === graphql.Kind.INLINE_FRAGMENT
            ? setShape(selection.selectionSet)
            : fragmentShape(selection.name.value);
        depth = Math.max(depth, inner.depth);
      }
      aliases = saturatingAdd(aliases, inner.aliases);
      directives = saturatingAdd(directives, inner.directives);
      fields = saturatingAdd(fields, inner.fields);
    }
    return { depth, aliases, directives, fields };
  };

  return (operation) => withDirectives(setShape(operation.selectionSet), operation.directives?.length ?? 0);
}

/** The document's fragments by name (the last of a name, as graphql-js reads them; validation refuses two). */
export function fragmentsOf(document: DocumentNode): Map<string, FragmentDefinitionNode> {
  const fragments = new Map<string, FragmentDefinitionNode>();
  for (const definition of document.definitions) {
    if (definition.kind === graphql.Kind.FRAGMENT_DEFINITION)
      fragments.set(definition.name.value, definition);
  }
  return fragments;
}

function withDirectives(shape: OperationShape, count: number): OperationShape {
  return count === 0 ? shape : { ...shape, directives: saturatingAdd(shape.directives, count) };
}
