/**
 * How a run snapshot travels through PostgreSQL NOTIFY: as its own JSON (dates tagged so they come back
 * as dates), cut into parts that each fit a notification, every part headed by who published it and in
 * which order.
 *
 * Why the whole snapshot rather than a run id for receivers to read back: a snapshot carries what only
 * the executing instance knows (records per second, the ETA, the flow's estimated total), a read would
 * show a later state than the one published (two updates could read alike, or one be skipped), and every
 * instance would add a query per update. PostgreSQL limits a payload to 8,000 bytes, and a run with notes
 * and errors can be larger, so big snapshots go as several notifications sent in one statement: one
 * transaction, so a receiver gets all the parts or none.
 *
 * A part is `p1|<publisher>|<sequence>|<part>|<parts>|<publishedAtMs>|<data>`: the header is plain text so
 * the data needs no escaping; the publisher is a random id per bus, the sequence counts its publishes.
 */
import type { RunSnapshot } from './types.js';

/** What a receiver needs besides the snapshot: who published it, its place in their order, and when. */
export interface WireHeader {
  publisher: string;
  sequence: number;
  /** The publisher's clock (epoch ms) when it published: for measuring delivery, never for ordering. */
  publishedAtMs: number;
}

/** One notification's payload, parsed. */
export interface WirePart extends WireHeader {
  part: number;
  parts: number;
  data: string;
}

const version = 'p1';

/**
 * Data bytes per notification: PostgreSQL refuses a payload of 8,000 bytes or more (with the default
 * block size), and the header takes at most ~80 of them.
 */
export const partDataBytes = 7_800;

/** Dates survive the trip as `{"$date": <epoch ms>}`; JSON alone would turn them into strings. */
const dateTag = '$date';

export function encodeSnapshot(snapshot: RunSnapshot): string {
  return JSON.stringify(snapshot, function (this: Record<string, unknown>, key: string, value: unknown) {
    // `value` has already been through Date#toJSON; the holder still has the Date itself.
    const raw = this[key];
    return raw instanceof Date ? { [dateTag]: raw.getTime() } : value;
  });
}

export function decodeSnapshot(json: string): RunSnapshot {
  return JSON.parse(json, (_key, value: unknown) => {
    if (typeof value === 'object' && value !== null && !Array.isArray(value)) {
      const keys = Object.keys(value);
      const time = (value as Record<string, unknown>)[dateTag];
      if (keys.length === 1 && typeof time === 'number') return new Date(time);
    }
    return value;
  }) as RunSnapshot;
}

/** The payloads of one publish, in order; each is under PostgreSQL's limit. */
export function toParts(header: WireHeader, json: string, maxBytes = partDataBytes): string[] {
  const bytes = Buffer.from(json, 'utf8');
  const pieces: string[] = [];
  for (let start = 0; start < bytes.length || pieces.length === 0;) {
    let end = Math.min(start + maxBytes, bytes.length);
    // Never cut a character in two: step back over UTF-8 continuation bytes (10xxxxxx).
    while (end < bytes.length && end > start && (bytes[end]! & 0xc0) === 0x80) end -= 1;
    pieces.push(bytes.subarray(start, end).toString('utf8'));
    start = end;
  }
  const { publisher, sequence, publishedAtMs } = header;
  return pieces.map(
    (data, part) => `${version}|${publisher}|${sequence}|${part}|${pieces.length}|${publishedAtMs}|${data}`,
  );
}

/** One payload parsed, or null when it is not one of ours (another version, or noise on the channel). */
export function parsePart(payload: string): WirePart | null {
  const fields: string[] = [];
  let start = 0;
  for (let i = 0; i < 6; i += 1) {
    const bar = payload.indexOf('|', start);
    if (bar < 0) return null;
    fields.push(payload.slice(start, bar));
    start = bar + 1;
  }
  const [tag, publisher, sequence, part, parts, publishedAtMs] = fields;
  const numbers = [sequence, part, parts, publishedAtMs].map(Number);
  if (tag !== version || !publisher || !numbers.every(Number.isSafeInteger)) return null;
  const [seq, index, count, at] = numbers as [number, number, number, number];
  if (count < 1 || index < 0 || index >= count) return null;
  return {
    publisher,
    sequence: seq,
    part: index,
    parts: count,
    publishedAtMs: at,
    data: payload.slice(start),
  };
}
