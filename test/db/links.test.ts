/**
 * The link store: lookups by business key ignore case and cost one query however many keys a DataLoader
 * batches; writes are upserts, so repeating them never duplicates a link.
 */
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { openDatabase, type Database } from '../../src/db/connection.js';
import { createLinkStore, type LinkInput, type LinkStore } from '../../src/db/links.js';
import { matchKey } from '../../src/vocabulary.js';
import { backends, type TestPlace } from './backends.js';

// Every PGlite start compiles WebAssembly and may run initdb: seconds each on a busy two-core machine.
vi.setConfig({ testTimeout: 60_000, hookTimeout: 60_000 });

const salesId = (n: number) => `00000000-0000-4000-8000-${String(n).padStart(12, '0')}`;

describe.each(backends.map((backend) => [backend.name, backend] as const))(
  'link store on %s',
  (_name, backend) => {
    let place: TestPlace;
    let database: Database;
    let links: LinkStore;
    /** The statements sent since the test began. */
    let statements: string[] = [];

    beforeAll(async () => {
      place = await backend.createPlace();
      database = await openDatabase(place.config, {
        logger: { logQuery: (query) => statements.push(query) },
      });
      links = createLinkStore(database);
    });
    afterAll(async () => {
      await database?.close();
      await place?.dispose();
    });
    beforeEach(async () => {
      await database.db.execute(sql`delete from record_links`);
      statements = [];
    });

    const count = async (): Promise<number> => {
      const result = await database.db.execute<{ n: number }>(
        sql`select count(*)::int as n from record_links`,
      );
      return result.rows[0]!.n;
    };

    it('finds a link whatever the case of the key, keyed by the normalized key', async () => {
      await links.upsert({ entity: 'account', businessKey: 'ACC-001', salesId: salesId(1) });
      const found = await links.findMany('account', ['acc-001', 'Acc-001']);
      expect([...found.keys()]).toEqual(['acc-001']);
      expect(found.get('acc-001')).toMatchObject({ businessKey: 'ACC-001', salesId: salesId(1) });
    });

    it('matches keys with letters beyond ASCII case-insensitively', async () => {
      await links.upsert({ entity: 'account', businessKey: 'ÄRZTE-Ø1' });
      const found = await links.findMany('account', ['ärzte-ø1']);
      expect(found.get(matchKey('ÄRZTE-Ø1'))?.businessKey).toBe('ÄRZTE-Ø1');
    });

    it('finds the links of a thousand keys in one query, leaving keys without a link out', async () => {
      const inputs = Array.from({ length: 1_000 }, (_, i): LinkInput => ({
        entity: 'contact',
        businessKey: `CON-${i}`,
        salesId: salesId(i),
      }));
      await links.upsertMany(inputs);
      statements = [];

      const asked = [...inputs.map((l) => l.businessKey.toLowerCase()), 'CON-missing', 'con-also-missing'];
      const found = await links.findMany('contact', asked);
      expect(statements).toHaveLength(1);
      expect(found.size).toBe(1_000);
      expect(found.get('con-999')?.salesId).toBe(salesId(999));
      expect(found.has('con-missing')).toBe(false);
    });

    it('sends no query for no keys', async () => {
      expect((await links.findMany('account', [])).size).toBe(0);
      expect(statements).toEqual([]);
    });

    it('keeps the entities apart: the same key under another entity is another link', async () => {
      await links.upsert({ entity: 'account', businessKey: 'X-1', financeKey: 'account' });
      await links.upsert({ entity: 'product', businessKey: 'X-1', financeKey: 'product' });
      expect((await links.findMany('account', ['x-1'])).get('x-1')?.financeKey).toBe('account');
      expect((await links.findMany('product', ['x-1'])).get('x-1')?.financeKey).toBe('product');
      expect(await count()).toBe(2);
    });

    it('stores every field as given and reads it back typed', async () => {
      const lastSyncedAt = new Date('2025-03-01T10:15:30.123Z');
      await links.upsert({
        entity: 'quote',
        businessKey: 'QUO-01001-ABCDEF',
        salesId: salesId(7),
        financeKey: '000123',
        financeCompany: 'usmf',
        lastSyncedAt,
        contentHash: 'sha256:abc',
        lastRunId: 'run-1',
        lastError: null,
        state: 'PENDING',
      });
      const row = (await links.findMany('quote', ['quo-01001-abcdef'])).get('quo-01001-abcdef');
      expect(row).toEqual({
        entity: 'quote',
        businessKey: 'QUO-01001-ABCDEF',
        businessKeyNormalized: 'quo-01001-abcdef',
        salesId: salesId(7),
        financeKey: '000123',
        financeCompany: 'usmf',
        lastSyncedAt,
        contentHash: 'sha256:abc',
        lastRunId: 'run-1',
        lastError: null,
        state: 'PENDING',
        updatedAt: expect.any(Date),
      });
    });

    it('updates the existing link rather than adding one when the key differs only in case', async () => {
      await links.upsert({ entity: 'account', businessKey: 'ACC-1', salesId: salesId(1), contentHash: 'h1' });
      await links.upsert({ entity: 'account', businessKey: 'acc-1', contentHash: 'h2' });
      expect(await count()).toBe(1);
      expect((await links.findMany('account', ['ACC-1'])).get('acc-1')).toMatchObject({
        businessKey: 'acc-1', // the latest spelling of the system of record
        salesId: salesId(1), // left out, so kept
        contentHash: 'h2',
      });
    });

    it('keeps the fields an upsert leaves out and clears those it sets to null', async () => {
      await links.upsert({ entity: 'account', businessKey: 'ACC-2', financeKey: 'US-2', lastError: 'boom' });
      await links.upsert({ entity: 'account', businessKey: 'ACC-2', lastError: null, state: 'FAILED' });
      expect((await links.findMany('account', ['acc-2'])).get('acc-2')).toMatchObject({
        financeKey: 'US-2',
        lastError: null,
        state: 'FAILED',
      });
    });

    it('moves updated_at forward on every upsert', async () => {
      await links.upsert({ entity: 'product', businessKey: 'P-1' });
      const before = (await links.findMany('product', ['p-1'])).get('p-1')!.updatedAt;
      await new Promise((resolve) => setTimeout(resolve, 5));
      await links.upsert({ entity: 'product', businessKey: 'P-1', contentHash: 'h' });
      const after = (await links.findMany('product', ['p-1'])).get('p-1')!.updatedAt;
      expect(after.getTime()).toBeGreaterThan(before.getTime());
    });

    it('upserts many links in one statement, the last of two with the same key winning', async () => {
      await links.upsert({ entity: 'account', businessKey: 'ACC-3', contentHash: 'old' });
      statements = [];
      await links.upsertMany([
        { entity: 'account', businessKey: 'ACC-3', contentHash: 'first' },
        { entity: 'account', businessKey: 'ACC-4', contentHash: 'new' },
        { entity: 'account', businessKey: 'acc-3', contentHash: 'last' },
      ]);
      expect(statements).toHaveLength(1);
      expect(await count()).toBe(2);
      const found = await links.findMany('account', ['ACC-3', 'ACC-4']);
      expect(found.get('acc-3')).toMatchObject({ businessKey: 'acc-3', contentHash: 'last' });
      expect(found.get('acc-4')?.contentHash).toBe('new');
    });

    it('writes 12,000 links in one statement', async () => {
      const inputs = Array.from({ length: 12_000 }, (_, i): LinkInput => ({
        entity: 'product',
        businessKey: `P-${i}`,
        lastRunId: 'run-big',
      }));
      await links.upsertMany(inputs);
      expect(statements.filter((s) => s.startsWith('insert into "record_links"'))).toHaveLength(1);
      expect(await count()).toBe(12_000);
    });

    it('refuses a batch whose links name different fields, saying which', async () => {
      await expect(
        links.upsertMany([
          { entity: 'account', businessKey: 'A', salesId: salesId(1) },
          { entity: 'account', businessKey: 'B', contentHash: 'h' },
        ]),
      ).rejects.toThrow(
        "upsertMany expects every link to name the same fields, because a field left out keeps its stored value; link 0 names [salesId] but link 1 (account 'B') names [contentHash]. Split the call by shape.",
      );
      expect(await count()).toBe(0);
    });

    it('writes nothing for no links', async () => {
      await links.upsertMany([]);
      expect(statements).toEqual([]);
    });

    it("writes inside a caller's transaction and rolls back with it", async () => {
      const rollback = new Error('rollback');
      await expect(
        database.db.transaction(async (tx) => {
          await createLinkStore({ db: tx }).upsert({ entity: 'account', businessKey: 'ACC-TX' });
          expect((await createLinkStore({ db: tx }).findMany('account', ['acc-tx'])).size).toBe(1);
          throw rollback;
        }),
      ).rejects.toBe(rollback);
      expect(await count()).toBe(0);
    });

    it('rejects an entity or state outside the closed sets, even past the type checker', async () => {
      await expect(links.upsert({ entity: 'shipment' as 'account', businessKey: 'S-1' })).rejects.toThrow();
      await expect(
        links.upsert({ entity: 'account', businessKey: 'A-1', state: 'DONE' as 'FAILED' }),
      ).rejects.toThrow();
      expect(await count()).toBe(0);
    });
  },
);
