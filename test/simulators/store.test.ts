/**
 * The simulators' store: row versions, alternate keys, indexes and tombstones stay consistent through
 * writes, and a failed transaction leaves no trace.
 */
import { describe, expect, it } from 'vitest';
import type { EntitySetDef } from '../../src/simulators/core/model.js';
import { createStore, DuplicateKeyError } from '../../src/simulators/core/store.js';

const things: EntitySetDef = {
  name: 'things',
  entityType: 'thing',
  key: ['id'],
  alternateKeys: [['code']],
  properties: {
    id: { type: 'Edm.String' },
    code: { type: 'Edm.String' },
    owner: { type: 'Edm.String' },
    versionnumber: { type: 'Edm.Int64' },
  },
};

const fresh = () => {
  const store = createStore([things], { versionColumn: 'versionnumber' });
  store.insert('things', { id: 'a', code: 'A-1', owner: 'x' });
  store.insert('things', { id: 'b', code: 'B-1', owner: 'x' });
  return store;
};

describe('store', () => {
  it('gives every write a new version and keeps it in the version column', () => {
    const store = fresh();
    const before = store.versionOf('things', { id: 'a' });
    store.update('things', { id: 'a' }, { owner: 'y' });
    expect(store.versionOf('things', { id: 'a' })).toBeGreaterThan(before);
    expect(store.get('things', { id: 'A' })?.['versionnumber']).toBe(store.version);
  });

  it('finds rows by alternate key and by an index that follows updates and deletes, case-insensitively', () => {
    const store = fresh();
    expect(store.findByAlternateKey('things', { code: 'a-1' })?.['id']).toBe('a');
    expect(store.findBy('things', 'owner', 'X').map((r) => r['id'])).toEqual(['a', 'b']);
    store.update('things', { id: 'a' }, { owner: 'y', code: 'A-2' });
    store.remove('things', { id: 'b' });
    expect(store.findBy('things', 'owner', 'x')).toEqual([]);
    expect(store.findBy('things', 'owner', 'y').map((r) => r['id'])).toEqual(['a']);
    expect(store.findByAlternateKey('things', { code: 'A-1' })).toBeUndefined();
    expect(store.findByAlternateKey('things', { code: 'A-2' })?.['id']).toBe('a');
  });

  it('refuses a duplicate primary or alternate key', () => {
    const store = fresh();
    expect(() => store.insert('things', { id: 'a', code: 'Z' })).toThrow(DuplicateKeyError);
    expect(() => store.insert('things', { id: 'c', code: 'A-1' })).toThrow(DuplicateKeyError);
    expect(() => store.update('things', { id: 'b' }, { code: 'A-1' })).toThrow(DuplicateKeyError);
  });

  it('undoes every write of a failed transaction: rows, keys, indexes, versions and tombstones', () => {
    const store = fresh();
    store.findBy('things', 'owner', 'x'); // build the index before the transaction
    const versionOfA = store.versionOf('things', { id: 'a' });
    expect(() =>
      store.transaction(() => {
        store.insert('things', { id: 'c', code: 'C-1', owner: 'x' });
        store.update('things', { id: 'a' }, { owner: 'z', code: 'A-9' });
        store.remove('things', { id: 'b' });
        throw new Error('part 4 failed');
      }),
    ).toThrow('part 4 failed');
    expect(store.scan('things').map((r) => [r['id'], r['code'], r['owner']])).toEqual([
      ['a', 'A-1', 'x'],
      ['b', 'B-1', 'x'],
    ]);
    expect(
      store
        .findBy('things', 'owner', 'x')
        .map((r) => r['id'])
        .sort(),
    ).toEqual(['a', 'b']);
    expect(store.findBy('things', 'owner', 'z')).toEqual([]);
    expect(store.findByAlternateKey('things', { code: 'A-1' })?.['id']).toBe('a');
    expect(store.findByAlternateKey('things', { code: 'C-1' })).toBeUndefined();
    expect(store.versionOf('things', { id: 'a' })).toBe(versionOfA);
    expect(store.changesSince('things', versionOfA).deleted).toEqual([]);
  });

  it('reports changes after a version in version order, deletions apart', () => {
    const store = fresh();
    const since = store.version;
    store.update('things', { id: 'b' }, { owner: 'q' });
    store.update('things', { id: 'a' }, { owner: 'q' });
    store.remove('things', { id: 'b' });
    const changes = store.changesSince('things', since);
    expect(changes.changed.map((r) => r['id'])).toEqual(['a']);
    expect(changes.deleted.map((d) => d.key)).toEqual([{ id: 'b' }]);
  });
});
