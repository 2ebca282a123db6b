/**
 * A flow module: everything one flow means, from its own folder. The declaration says what the flow does
 * (source, target, key, mapping, routes, rules, children); the plan says how the engine runs it (source
 * read, target adapters, lookups, after-read step), made with the flows' settings.
 */
import type { FlowPlan } from '../engine/plan.js';
import { readField } from '../transforms.js';
import type { ProductSettings } from './products/settings.js';
import type { FlowDefinition } from './types.js';

/** The settings flow plans are made with, each resolved (defaults filled in). */
export interface FlowOptions {
  products: ProductSettings;
}

export interface FlowModule {
  definition: FlowDefinition;
  plan(options: FlowOptions): FlowPlan;
}

/** The text value of `column` on `record`, or null: how plans read a Sales row id. */
export const idOf =
  (column: string) =>
  (record: object | undefined): string | null => {
    const value = record === undefined ? null : readField(record, column);
    return typeof value === 'string' ? value : null;
  };
