/**
 * A CSDL XML `$metadata` document generated from the entity-set declarations, so generic OData tools
 * (and the hub's own conformance tests) can discover what a simulator serves.
 */
import type { EntitySetDef } from './model.js';

export interface MetadataOptions {
  /** Schema namespace: `Microsoft.Dynamics.CRM` (Sales) or `Microsoft.Dynamics.DataEntities` (Finance). */
  namespace: string;
  containerName: string;
  sets: readonly EntitySetDef[];
}

export function buildMetadata({ namespace, containerName, sets }: MetadataOptions): string {
  const enums = new Map<string, readonly string[]>();
  for (const set of sets) {
    for (const def of Object.values(set.properties)) {
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
  for (const [name, def] of Object.entries(set.properties)) {
    const type = def.enumType ? `${namespace}.${def.enumType}` : def.type;
    const attrs = [`Name="${name}"`, `Type="${type}"`];
    if (def.nullable === false) attrs.push('Nullable="false"');
    if (def.maxLength !== undefined) attrs.push(`MaxLength="${def.maxLength}"`);
    if (def.type === 'Edm.Decimal') attrs.push('Precision="32"', 'Scale="Variable"');
    lines.push(`<Property ${attrs.join(' ')}/>`);
  }
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
