/** The in-process run event bus: who hears what, and that nothing stays behind after unsubscribing. */
import { describe, expect, it, vi } from 'vitest';
import type { RunSnapshot } from '../../../src/sync/runs/types.js';
import { createInProcessEventBus } from '../../../src/sync/runs/events.js';

const snapshotOf = (id: string) => ({ run: { id }, rates: {} }) as unknown as RunSnapshot;

describe('in-process run event bus', () => {
  it("delivers a run's snapshots to its listeners and to '*' listeners only", () => {
    const bus = createInProcessEventBus();
    const heard: string[] = [];
    bus.subscribe('run-1', (snapshot) => heard.push(`run-1 heard ${snapshot.run.id}`));
    bus.subscribe('run-2', (snapshot) => heard.push(`run-2 heard ${snapshot.run.id}`));
    bus.subscribe('*', (snapshot) => heard.push(`* heard ${snapshot.run.id}`));
    bus.publish(snapshotOf('run-1'));
    expect(heard).toEqual(['run-1 heard run-1', '* heard run-1']);
  });

  it('goes on publishing when a listener throws, and reports the error', () => {
    const onListenerError = vi.fn();
    const bus = createInProcessEventBus({ onListenerError });
    const heard = vi.fn();
    bus.subscribe('run-1', () => {
      throw new Error('broken subscription');
    });
    bus.subscribe('run-1', heard);
    bus.subscribe('*', heard);
    expect(() => bus.publish(snapshotOf('run-1'))).not.toThrow();
    expect(heard).toHaveBeenCalledTimes(2);
    expect(onListenerError).toHaveBeenCalledWith(
      expect.objectContaining({ message: 'broken subscription' }),
      expect.anything(),
    );
  });

  it('leaves no listener behind after 1,000 subscribes and unsubscribes', () => {
    const bus = createInProcessEventBus();
    const listener = vi.fn();
    for (let i = 0; i < 1_000; i++) {
      const unsubscribe = bus.subscribe(i % 2 === 0 ? `run-${i}` : '*', listener);
      unsubscribe();
    }
    expect(bus.listenerCount()).toBe(0);
    bus.publish(snapshotOf('run-0'));
    expect(listener).not.toHaveBeenCalled();
  });

  it('removes one subscription per unsubscribe, even of the same function, and ignores a second call', () => {
    const bus = createInProcessEventBus();
    const listener = vi.fn();
    const first = bus.subscribe('run-1', listener);
    bus.subscribe('run-1', listener);
    first();
    first();
    expect(bus.listenerCount('run-1')).toBe(1);
    bus.publish(snapshotOf('run-1'));
    expect(listener).toHaveBeenCalledTimes(1);
  });

  it('lets a listener unsubscribe while a snapshot is being delivered', () => {
    const bus = createInProcessEventBus();
    const later = vi.fn();
    const unsubscribe = bus.subscribe('run-1', () => unsubscribe());
    bus.subscribe('run-1', later);
    bus.publish(snapshotOf('run-1'));
    bus.publish(snapshotOf('run-1'));
    expect(later).toHaveBeenCalledTimes(2);
    expect(bus.listenerCount('run-1')).toBe(1);
  });
});
