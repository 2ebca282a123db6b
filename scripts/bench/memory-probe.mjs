// @ts-check
/**
 * Preloaded into the hub process by `npm run bench:sync` (`node --import`), so that the benchmark measures
 * the hub as `npm start` runs it: compiled, with no TypeScript loader in the process. Every 100 ms it
 * writes one line to file descriptor 3 (a pipe the benchmark reads): the process's resident memory as
 * Linux counts it (VmRSS, from /proc/self/status) and V8's heap in use, in bytes. Plain JavaScript,
 * because the hub process runs without tsx; the timer is unref'd, so it never keeps the hub alive.
 */
import { readFileSync, writeSync } from 'node:fs';
import { clearInterval, setInterval } from 'node:timers';
import { getHeapStatistics } from 'node:v8';

const fd = 3;
const timer = setInterval(() => {
  try {
    const kib = /VmRSS:\s+(\d+) kB/.exec(readFileSync('/proc/self/status', 'utf8'))?.[1] ?? '0';
    writeSync(fd, `${Number(kib) * 1024} ${getHeapStatistics().used_heap_size}\n`);
  } catch {
    // The benchmark went away (EPIPE) or this is not Linux: stop sampling, leave the hub alone.
    clearInterval(timer);
  }
}, 100);
timer.unref();
