/**
 * A CSDL XML `$metadata` document generated from the entity-set declarations, so generic OData tools
 * (and the hub's own conformance tests) can discover what a simulator serves.
 */
import type { EdmType, EntitySetDef, PropertyDef } from './model.js';

/** A structured value an action returns, declared as a `<ComplexType>` in the schema's namespace. */
export interface ComplexTypeDef {
  name: string;
  properties: Record<string, PropertyDef>;
}

/**
 * An action bound to one entity of a set, declared as F&O declares actions on data entities: `IsBound`,
 * the binding parameter `_this` typed as the set's entity type, then the action's own parameters.
 */
export interface EntityActionDef {
  /** Unqualified name; clients call `<set>(<key>)/<namespace>.<name>`. */
  name: string;
  /** The entity set whose entity type `_this` has. */
  boundTo: string;
  /** Parameters after `_this`, in order: name → type. */
  parameters: Record<string, EdmType>;
  /** A complex type declared in `complexTypes` (qualified with the namespace), or an Edm type. */
  returnType?: { complexType: string } | { type: EdmType };
}

export interface MetadataOptions {
  /** Schema namespace: `Microsoft.Dynamics.CRM` (Sales) or `Microsoft.Dynamics.DataEntities` (Finance). */
  namespace: string;
  containerName: string;
  sets: readonly EntitySetDef[];
  complexTypes?: readonly ComplexTypeDef[];
  actions?: readonly EntityActionDef[];
}

export function buildMetadata({
  namespace,
  containerName,
  sets,
  complexTypes = [],
  actions = [],
}: MetadataOptions): string {
  const enums = new Map<string, readonly string[]>();
  for (const owner of [...sets, ...complexTypes]) {
    for (const def of Object.values(owner.properties)) {
      if (def.enumType && def.enumMembers) enums.set(def.enumType, def.enumMembers);
    }
  }
  const lines = [
    '<?xml version="1.0" encoding="utf-8"?>',
    '<edmx:Edmx Version="4.0" xmlns:edmx="http://docs.oasis-open.org/odata/ns/edmx">',
    '<edmx:DataServices>',
    `<Schema Namespace="${namespace}" xmlns="http://docs.oasis-open.org/odata/ns/edm">`,
  ];
  for (const [name, members] of enums) {
    lines.push(`<EnumType Name="${name}">`);
    members.forEach((member, value) => lines.push(`<Member Name="${member}" Value="${value}"/>`));
    lines.push('</EnumType>');
  }
  for (const set of sets) lines.push(...entityType(set, namespace, sets));
  for (const complex of complexTypes) {
    lines.push(`<ComplexType Name="${complex.name}">`);
    for (const [name, def] of Object.entries(complex.properties)) lines.push(property(name, def, namespace));
    lines.push('</ComplexType>');
  }
  for (const action of actions) lines.push(...entityAction(action, namespace, sets));
  lines.push(`<EntityContainer Name="${containerName}">`);
  for (const set of sets) {
    lines.push(`<EntitySet Name="${set.name}" EntityType="${namespace}.${set.entityType}">`);
    for (const [nav, expansion] of Object.entries(set.expansions ?? {})) {
      lines.push(`<NavigationPropertyBinding Path="${nav}" Target="${expansion.target}"/>`);
    }
    lines.push('</EntitySet>');
  }
  lines.push('</EntityContainer>', '</Schema>', '</edmx:DataServices>', '</edmx:Edmx>');
  return lines.join('\n');
}

function entityType(set: EntitySetDef, namespace: string, sets: readonly EntitySetDef[]): string[] {
  const lines = [`<EntityType Name="${set.entityType}">`, '<Key>'];
  for (const key of set.key) lines.push(`<PropertyRef Name="${key}"/>`);
  lines.push('</Key>');
  for (const [name, def] of Object.entries(set.properties)) lines.push(property(name, def, namespace));
  for (const [nav, expansion] of Object.entries(set.expansions ?? {})) {
    const target = sets.find((s) => s.name === expansion.target);
    if (!target) continue;
    const targetType = `${namespace}.${target.entityType}`;
    const type = expansion.cardinality === 'many' ? `Collection(${targetType})` : targetType;
    lines.push(`<NavigationProperty Name="${nav}" Type="${type}"/>`);
  }
  for (const alternate of set.alternateKeys ?? []) {
    lines.push(
      '<Annotation Term="OData.Community.Keys.V1.AlternateKeys"><Collection><Record Type="OData.Community.Keys.V1.AlternateKey"><PropertyValue Property="Key"><Collection>',
      ...alternate.map(
        (p) =>
          `<Record Type="OData.Community.Keys.V1.PropertyRef"><PropertyValue Property="Alias" String="${p}"/><PropertyValue Property="Name" PropertyPath="${p}"/></Record>`,
      ),
      '</Collection></PropertyValue></Record></Collection></Annotation>',
    );
  }
  lines.push('</EntityType>');
  return lines;
}

function property(name: string, def: PropertyDef, namespace: string): string {
  const type = def.enumType ? `${namespace}.${def.enumType}` : def.type;
  const attrs = [`Name="${name}"`, `Type="${type}"`];
  if (def.nullable === false) attrs.push('Nullable="false"');
  if (def.maxLength !== undefined) attrs.push(`MaxLength="${def.maxLength}"`);
  if (def.type === 'Edm.Decimal') attrs.push('Precision="32"', 'Scale="Variable"');
  return `<Property ${attrs.join(' ')}/>`;
}

function entityAction(action: EntityActionDef, namespace: string, sets: readonly EntitySetDef[]): string[] {
  const bound = sets.find((s) => s.name === action.boundTo);
  // A declaration naming a set the simulator does not serve is a bug in the declaration, not in a request.
  if (!bound)
    throw new Error(`The action ${action.name} is bound to ${action.boundTo}, which is not served.`);
  const lines = [
    `<Action Name="${action.name}" IsBound="true">`,
    `<Parameter Name="_this" Type="${namespace}.${bound.entityType}"/>`,
    ...Object.entries(action.parameters).map(([name, type]) => `<Parameter Name="${name}" Type="${type}"/>`),
  ];
  if (action.returnType) {
    const type =
      'complexType' in action.returnType
        ? `${namespace}.${action.returnType.complexType}`
        : action.returnType.type;
    lines.push(`<ReturnType Type="${type}" Nullable="false"/>`);
  }
  lines.push('</Action>');
  return lines;
}
