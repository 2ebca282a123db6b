/**
 * Run ids: UUIDv7 strings (RFC 9562), whose first 48 bits are the creation time in milliseconds, so
 * sorting ids as text sorts runs by creation and "newest first" paging needs no second sort key.
 */
import { randomBytes } from 'node:crypto';

/** Makes one id per call; ids from one generator sort in the order they were made. */
export type RunIdGenerator = () => string;

/** 12 bits of counter after the timestamp (RFC 9562's `rand_a`, used as its "fixed-length counter"). */
const counterLimit = 0x1000;
/**
 * A new millisecond seeds the counter below half its range, so a burst within one millisecond has at
 * least 2,048 ids before it must borrow the next millisecond.
 */
const counterSeedLimit = 0x800;

/**
 * A UUIDv7 generator reading time from `now` (milliseconds; default `Date.now`). Ids are monotonic even
 * when several are made in one millisecond (the 12-bit counter counts up) or the clock steps back (the
 * last timestamp is kept until the clock passes it), so ordering by id is the order of creation within a
 * process; across processes, ids order by their millisecond.
 */
export function createRunIdGenerator(now: () => number = Date.now): RunIdGenerator {
  let lastMs = -1;
  let counter = 0;
  return () => {
    const ms = Math.max(now(), lastMs);
    if (ms === lastMs) {
      counter += 1;
      if (counter === counterLimit) {
        // Out of counter values: borrow the next millisecond rather than repeat or go back.
        lastMs += 1;
        counter = 0;
      }
    } else {
      lastMs = ms;
      counter = randomBytes(2).readUInt16BE() % counterSeedLimit;
    }
    return formatUuidV7(lastMs, counter, randomBytes(8));
  };
}

/** Lays out timestamp, version, counter, variant and 62 random bits as a lowercase UUID string. */
function formatUuidV7(ms: number, counter: number, random: Buffer): string {
  const bytes = Buffer.alloc(16);
  bytes.writeUIntBE(ms, 0, 6);
  bytes.writeUInt16BE(0x7000 | counter, 6);
  random.copy(bytes, 8);
  bytes[8] = 0x80 | (bytes[8]! & 0x3f);
  const hex = bytes.toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

/** The process's run id generator. */
export const newRunId: RunIdGenerator = createRunIdGenerator();
