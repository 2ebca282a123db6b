/**
 * Run ids are UUIDv7 strings that sort as text in the order they were made, even many in one
 * millisecond or when the clock steps back.
 */
import { describe, expect, it } from 'vitest';
import { createRunIdGenerator, newRunId } from '../../src/db/run-ids.js';

const uuidV7 = /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

/** The creation time an id carries, in milliseconds. */
const timeOf = (id: string) => parseInt(id.replaceAll('-', '').slice(0, 12), 16);

describe('run ids', () => {
  it('are lowercase UUIDv7 strings carrying the time they were made', () => {
    const before = Date.now();
    const id = newRunId();
    expect(id).toMatch(uuidV7);
    expect(timeOf(id)).toBeGreaterThanOrEqual(before);
    expect(timeOf(id)).toBeLessThanOrEqual(Date.now());
  });

  it('sort in the order they were made, 10,000 within one millisecond', () => {
    const next = createRunIdGenerator(() => 1_700_000_000_000);
    const ids = Array.from({ length: 10_000 }, () => next());
    expect(new Set(ids).size).toBe(ids.length);
    expect([...ids].sort()).toEqual(ids);
    ids.forEach((id) => expect(id).toMatch(uuidV7));
    // The 12-bit counter runs out after at most 4,096 ids; later ones borrow the next milliseconds.
    expect(timeOf(ids.at(-1)!)).toBeGreaterThan(1_700_000_000_000);
  });

  it('keep sorting forward when the clock steps back', () => {
    const clock = [2_000, 1_000, 1_500, 2_500];
    const next = createRunIdGenerator(() => clock.shift()!);
    const ids = [next(), next(), next(), next()];
    expect([...ids].sort()).toEqual(ids);
    expect(ids.map(timeOf)).toEqual([2_000, 2_000, 2_000, 2_500]);
  });
});
