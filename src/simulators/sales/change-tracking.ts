/**
 * Dataverse change tracking: `Prefer: odata.track-changes` on a collection read returns every row and,
 * on the last page, an `@odata.deltaLink` with a `$deltatoken` of the form `<version>!<timestamp>`.
 * Following that link returns rows created or changed since (ordered by version), then deletions as
 * `$deletedEntity` entries, then a new delta link. `$filter`, `$orderby`, `$expand` and `$top` are
 * rejected, as in Dataverse. Tokens older than the lifetime, or issued before `expireTokens()`, fail with
 * an error after which a client must read everything again.
 */
import type { CollectionQuery } from '../core/collection.js';
import { parseCollectionQuery } from '../core/collection.js';
import { ServiceError } from '../core/errors.js';
import { salesDialect } from '../core/filter/index.js';
import { stringifyBody } from '../core/json.js';
import type { EntitySetDef, Row } from '../core/model.js';
import { decodePageToken, encodePageToken, linkWith, parsePrefer } from '../core/paging.js';
import { jsonHeaders, type SimRequest, type SimResponse } from '../core/service.js';
import type { Store } from '../core/store.js';
import { salesCodes } from './errors.js';

export interface ChangeTracking {
  read(
    request: SimRequest,
    set: EntitySetDef,
    shape: (rows: Row[], query: CollectionQuery) => Record<string, unknown>[],
  ): SimResponse;
  /** Makes every token issued so far invalid, as if its version had been cleaned up. */
  expireTokens(): void;
}

export function createChangeTracking({
  store,
  now,
  tokenLifetimeMs,
  maxPageSize,
}: {
  store: Store;
  now: () => Date;
  tokenLifetimeMs: number;
  maxPageSize: number;
}): ChangeTracking {
  let oldestValidVersion = 0;

  const parseToken = (token: string): number => {
    const match = /^(\d+)!(.+)$/.exec(token);
    const issuedAt = match ? Date.parse(match[2]!) : NaN;
    if (!match || Number.isNaN(issuedAt)) {
      throw new ServiceError(
        400,
        salesCodes.invalidArgument,
        `The $deltatoken '${token}' is not valid. Use the @odata.deltaLink exactly as returned.`,
      );
    }
    const version = Number(match[1]);
    if (version < oldestValidVersion || now().getTime() - issuedAt > tokenLifetimeMs) {
      throw new ServiceError(
        400,
        salesCodes.deltaTokenExpired,
        'Version stamp associated with the client has expired. Please perform a full sync.',
      );
    }
    return version;
  };

  return {
    read(request, set, shape) {
      for (const option of ['$filter', '$orderby', '$expand', '$top', '$skip']) {
        if (request.query.has(option)) {
          throw new ServiceError(
            400,
            '',
            `The query parameter ${option} is not supported with change tracking (Prefer: odata.track-changes).`,
          );
        }
      }
      const query = parseCollectionQuery(request.query, set, store, salesDialect);
      const prefer = parsePrefer(request.headers['prefer']);
      const size = Math.min(
        Number(prefer.get('odata.maxpagesize') ?? maxPageSize) || maxPageSize,
        maxPageSize,
      );
      const token = request.query.get('$deltatoken');
      const since = token === null ? undefined : parseToken(token);
      const state = decodePageToken(request.query.get('$skiptoken'));
      const snapshot = state?.version ?? store.version;
      const offset = state?.offset ?? 0;

      // Rows first (by version for a delta, all rows for the initial read), deletions last. The initial
      // read pages through the store's snapshot as it is, so a page costs its own rows, not the table's.
      let total: number;
      let page: ({ row: Row } | { deletedId: string })[];
      if (since === undefined) {
        const all = store.scan(set.name);
        total = all.length;
        page = all.slice(offset, offset + size).map((row) => ({ row }));
      } else {
        const changes = store.changesSince(set.name, since);
        const entries = [
          ...changes.changed.map((row) => ({ row })),
          ...changes.deleted.map((d) => ({ deletedId: String(d.key[set.key[0]!]) })),
        ];
        total = entries.length;
        page = entries.slice(offset, offset + size);
      }
      const rows = page.flatMap((e) => ('row' in e ? [e.row] : []));
      const shaped = shape(rows, query);
      const value = [
        ...shaped,
        ...page.flatMap((e) =>
          'deletedId' in e
            ? [
                {
                  '@odata.context': `${request.serviceRoot}$metadata#${set.name}/$deletedEntity`,
                  id: e.deletedId,
                  reason: 'deleted',
                },
              ]
            : [],
        ),
      ];
      const body: Record<string, unknown> = {
        '@odata.context': `${request.serviceRoot}$metadata#${set.name}`,
        value,
      };
      if (offset + page.length < total) {
        body['@odata.nextLink'] = linkWith(request.serviceRoot, request.resource, request.rawQuery, {
          $skiptoken: encodePageToken({ offset: offset + page.length, version: snapshot }),
        });
      } else {
        body['@odata.deltaLink'] = linkWith(request.serviceRoot, request.resource, request.rawQuery, {
          $skiptoken: null,
          $deltatoken: `${snapshot}!${now().toISOString()}`,
        });
      }
      return {
        status: 200,
        headers: jsonHeaders({ 'Preference-Applied': 'odata.track-changes' }),
        body: stringifyBody(body),
      };
    },
    expireTokens() {
      oldestValidVersion = store.version + 1;
    },
  };
}
