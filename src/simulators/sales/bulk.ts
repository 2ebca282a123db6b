/**
 * Dataverse's bulk operation messages on standard tables, as the Web API binds them to a collection:
 * `POST <set>/Microsoft.Dynamics.CRM.CreateMultiple` (or `UpdateMultiple`, `UpsertMultiple`) with
 * `{"Targets":[{"@odata.type":"Microsoft.Dynamics.CRM.<type>", …columns}]}`.
 *
 * - CreateMultiple answers 200 with `{"@odata.context":"…$metadata#Microsoft.Dynamics.CRM.CreateMultipleResponse","Ids":[…]}`.
 * - UpdateMultiple and UpsertMultiple answer 204: Microsoft's UpsertMultiple reference says the
 *   `UpsertMultipleResponse` complex type is not returned.
 * - A target names its record by `@odata.id` (`accounts(accountnumber='A-1')` or `accounts(<guid>)`), or
 *   by its primary key or every column of an alternate key among its columns. Lookups use `nav@odata.bind`.
 * - Standard tables run the whole message in one transaction ("All operations roll back on error"), so
 *   the first failing target answers with the error a single write of it would give and nothing is kept.
 *
 * Every target goes through the same create and update code as a single POST or PATCH, so the store (row
 * versions, `modifiedon`, change tracking, quote totals) cannot tell a bulk write from single writes.
 */
import { ServiceError } from '../core/errors.js';
import { isPlainObject, numberText, parseObjectBody } from '../core/json.js';
import type { EntitySetDef, Row } from '../core/model.js';
import { type KeyLiteral, parseResourcePath } from '../core/resource-path.js';
import { jsonHeaders, type SimRequest, type SimResponse } from '../core/service.js';
import type { Store } from '../core/store.js';
import { tablesWithoutBulkMessages } from './entities.js';
import { salesCodes } from './errors.js';
import type { SalesRows } from './rows.js';
import { recordPath, type SalesWrites } from './writes.js';

const namespace = 'Microsoft.Dynamics.CRM';
export const bulkMessages = ['CreateMultiple', 'UpdateMultiple', 'UpsertMultiple'] as const;
export type BulkMessage = (typeof bulkMessages)[number];

export function createBulkMessages(store: Store, rows: SalesRows, writes: SalesWrites) {
  const { resolve, notFound } = rows;
  const { changesOf, createRow, updateRow } = writes;

  /** Runs the bound action `action` (qualified name) on `set`. */
  function execute(request: SimRequest, set: EntitySetDef, action: string): SimResponse {
    const message = bulkMessages.find((name) => action === `${namespace}.${name}`);
    if (!message) {
      throw new ServiceError(404, '0x80060888', `Resource not found for the segment '${action}'.`);
    }
    if (request.method !== 'POST') {
      throw new ServiceError(405, '', `${message} is an action: call it with POST, not ${request.method}.`);
    }
    if (tablesWithoutBulkMessages.has(set.name)) {
      throw new ServiceError(
        400,
        salesCodes.invalidArgument,
        `The '${message}' message is not supported for the entity '${set.entityType}': not every standard table supports bulk operation messages. Use single requests or $batch.`,
      );
    }
    const targets = targetsOf(request, set, message);
    const ids = store.transaction(() =>
      targets.map((target) => write(message, set, target, request.serviceRoot)),
    );
    if (message !== 'CreateMultiple') return { status: 204, headers: { 'OData-Version': '4.0' } };
    const body = {
      '@odata.context': `${request.serviceRoot}$metadata#${namespace}.CreateMultipleResponse`,
      Ids: ids,
    };
    return { status: 200, headers: jsonHeaders(), body: JSON.stringify(body) };
  }

  /** Writes one target; its primary key value. */
  function write(
    message: BulkMessage,
    set: EntitySetDef,
    target: Record<string, unknown>,
    serviceRoot: string,
  ): unknown {
    const primary = set.key[0]!;
    const changes = changesOf(target, set, serviceRoot);
    if (message === 'CreateMultiple') return createRow(set, changes)[primary];
    const located = locate(set, target, serviceRoot);
    if (message === 'UpdateMultiple') {
      if (!located) {
        throw new ServiceError(
          400,
          salesCodes.invalidArgument,
          `Each UpdateMultiple target must name its ${set.entityType} record: give '${primary}', an alternate key, or '@odata.id'.`,
        );
      }
      if (!located.row) throw notFound(set, located.keyValues);
      return updateRow(set, located.row, changes)[primary];
    }
    if (located?.row) return updateRow(set, located.row, changes)[primary];
    return createRow(set, { ...changes, ...located?.keyValues })[primary];
  }

  /** The record a target names, by `@odata.id`, its primary key, or a whole alternate key; else undefined. */
  function locate(
    set: EntitySetDef,
    target: Record<string, unknown>,
    serviceRoot: string,
  ): { row: Row | undefined; keyValues: Row } | undefined {
    const id = target['@odata.id'];
    if (id !== undefined) {
      const relative = typeof id === 'string' ? recordPath(id, serviceRoot) : '';
      const path = relative ? parseResourcePath(relative) : undefined;
      if (!path?.key || path.entitySet !== set.name || path.action || path.count) {
        throw new ServiceError(
          400,
          salesCodes.invalidArgument,
          `'@odata.id' must name a ${set.entityType} record like "${set.name}(<id>)" or an alternate key, got '${String(id)}'.`,
        );
      }
      return resolve(set, path.key);
    }
    const primary = target[set.key[0]!];
    if (primary !== undefined && primary !== null)
      return resolve(set, { unnamed: String(primary).toLowerCase() });
    for (const alternate of set.alternateKeys ?? []) {
      const values = alternate.map((column) => keyLiteral(target[column]));
      if (values.every((value) => value !== undefined && value !== null)) {
        return resolve(set, {
          named: Object.fromEntries(alternate.map((column, i) => [column, values[i]!])),
        });
      }
    }
    return undefined;
  }

  return { execute };
}

/** The `Targets` of a bulk message body, each checked to be a record of `set`'s type. */
function targetsOf(request: SimRequest, set: EntitySetDef, message: BulkMessage): Record<string, unknown>[] {
  const body = parseObjectBody(request.body, salesCodes.invalidArgument);
  const targets = body['Targets'];
  if (!Array.isArray(targets) || targets.length === 0) {
    throw new ServiceError(
      400,
      salesCodes.invalidArgument,
      `${message} needs a non-empty 'Targets' array of ${set.entityType} records.`,
    );
  }
  const type = `${namespace}.${set.entityType}`;
  return targets.map((target, index) => {
    if (!isPlainObject(target)) {
      throw new ServiceError(400, salesCodes.invalidArgument, `Targets[${index}] must be a JSON object.`);
    }
    const declared = target['@odata.type'];
    if (typeof declared !== 'string' || declared.replace(/^#/, '') !== type) {
      // Microsoft: "You must specify the @odata.type annotation with every item in the Targets parameter."
      throw new ServiceError(
        400,
        salesCodes.invalidArgument,
        `Targets[${index}] must carry "@odata.type": "${type}" (all records of one ${message} are of the bound table), got ${declared === undefined ? 'none' : `'${String(declared)}'`}.`,
      );
    }
    return target;
  });
}

function keyLiteral(value: unknown): KeyLiteral | undefined {
  if (value === undefined || value === null || typeof value === 'string' || typeof value === 'boolean')
    return value;
  const text = numberText(value);
  return text === undefined ? undefined : Number(text);
}
