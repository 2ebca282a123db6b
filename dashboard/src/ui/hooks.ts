import { useEffect, useEffectEvent, useState } from 'react';

/** The current time in ms, renewed every `intervalMs` while `ticking` (for durations still growing). */
export function useNow(intervalMs: number, ticking: boolean): number {
  const [now, setNow] = useState(Date.now);
  useEffect(() => {
    if (!ticking) return;
    const timer = setInterval(() => setNow(Date.now()), intervalMs);
    return () => clearInterval(timer);
  }, [intervalMs, ticking]);
  return now;
}

/** `value` once it has stopped changing for `delayMs`: a search asks the hub when typing pauses. */
export function useDebounced<T>(value: T, delayMs: number): T {
  const [settled, setSettled] = useState(value);
  useEffect(() => {
    const timer = setTimeout(() => setSettled(value), delayMs);
    return () => clearTimeout(timer);
  }, [value, delayMs]);
  return settled;
}

/** Names the browser tab after the page. */
export function useDocumentTitle(title: string): void {
  useEffect(() => {
    document.title = `${title} · Sync dashboard`;
  }, [title]);
}

/**
 * Calls `callback` every `intervalMs` while the tab is shown, and at once when a hidden tab is shown
 * again: a page whose data has no subscription (continuous sync, alerts) asks the hub again by itself.
 */
export function useEvery(intervalMs: number, callback: () => void): void {
  const tick = useEffectEvent(callback);
  useEffect(() => {
    const shown = () => document.visibilityState === 'visible';
    const timer = setInterval(() => {
      if (shown()) tick();
    }, intervalMs);
    const onVisibility = () => {
      if (shown()) tick();
    };
    document.addEventListener('visibilitychange', onVisibility);
    return () => {
      clearInterval(timer);
      document.removeEventListener('visibilitychange', onVisibility);
    };
  }, [intervalMs]);
}
