/**
 * Seeded pseudo-random numbers for the seed data. The generator is sfc32 (Chris Doty-Humphrey's Small Fast
 * Counter, public domain): 128 bits of state, so GUIDs drawn from different streams cannot fall onto the same
 * short cycle the way a 32-bit generator's can, and several times faster than calling faker per value.
 *
 * Every concern draws from its own named stream (`createRandom(seed, 'contacts')`), so a change to how one
 * concern is generated does not reshuffle the others.
 */
import { Buffer } from 'node:buffer';

const HEX_DIGITS = Buffer.from('0123456789abcdef', 'latin1');
const LETTERS = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ';

const GUID_BUFFER = Buffer.alloc(36);
const DASH = 0x2d;

/** A choice and its relative weight, for `SeededRandom.weighted`. */
export type Weighted<T> = readonly [value: T, weight: number];

/** cyrb128: spreads a string over four 32-bit words, so nearby seeds give unrelated streams. */
function hash128(text: string): [number, number, number, number] {
  let h1 = 1779033703;
  let h2 = 3144134277;
  let h3 = 1013904242;
  let h4 = 2773480762;
  for (let i = 0; i < text.length; i++) {
    const k = text.charCodeAt(i);
    h1 = h2 ^ Math.imul(h1 ^ k, 597399067);
    h2 = h3 ^ Math.imul(h2 ^ k, 2869860233);
    h3 = h4 ^ Math.imul(h3 ^ k, 951274213);
    h4 = h1 ^ Math.imul(h4 ^ k, 2716044179);
  }
  h1 = Math.imul(h3 ^ (h1 >>> 18), 597399067);
  h2 = Math.imul(h4 ^ (h2 >>> 22), 2869860233);
  h3 = Math.imul(h1 ^ (h3 >>> 17), 951274213);
  h4 = Math.imul(h2 ^ (h4 >>> 19), 2716044179);
  h1 ^= h2 ^ h3 ^ h4;
  return [h1 >>> 0, (h2 ^ h1) >>> 0, (h3 ^ h1) >>> 0, (h4 ^ h1) >>> 0];
}

/** A 32-bit seed for another generator (faker's) derived from the data-set seed and a stream name. */
export function deriveSeed(seed: number, stream: string): number {
  return hash128(`${seed}:${stream}`)[0];
}

/** A deterministic stream of random values. */
export class SeededRandom {
  private a: number;
  private b: number;
  private c: number;
  private d: number;

  constructor(seed: number, stream: string) {
    [this.a, this.b, this.c, this.d] = hash128(`${seed}:${stream}`);
    // The first outputs of sfc32 still echo the seed words; discard them.
    for (let i = 0; i < 12; i++) this.uint32();
  }

  /** The next unsigned 32-bit integer of the stream. */
  uint32(): number {
    const t = (((this.a + this.b) | 0) + this.d) | 0;
    this.d = (this.d + 1) | 0;
    this.a = this.b ^ (this.b >>> 9);
    this.b = (this.c + (this.c << 3)) | 0;
    this.c = (this.c << 21) | (this.c >>> 11);
    this.c = (this.c + t) | 0;
    return t >>> 0;
  }

  /** A float in [0, 1). */
  next(): number {
    return this.uint32() / 4294967296;
  }

  /** An integer in [min, max], both inclusive. */
  int(min: number, max: number): number {
    return min + Math.floor(this.next() * (max - min + 1));
  }

  /** True with probability `p`. */
  chance(p: number): boolean {
    return this.next() < p;
  }

  pick<T>(items: readonly T[]): T {
    if (items.length === 0) throw new RangeError('Cannot pick from an empty list');
    return items[Math.floor(this.next() * items.length)]!;
  }

  weighted<T>(choices: readonly Weighted<T>[]): T {
    let total = 0;
    for (const [, weight] of choices) total += weight;
    let roll = this.next() * total;
    for (const [value, weight] of choices) {
      roll -= weight;
      if (roll < 0) return value;
    }
    if (choices.length === 0) throw new RangeError('Cannot choose from an empty list');
    return choices[choices.length - 1]![0];
  }

  /** `count` upper-case ASCII letters (auto-number suffixes). */
  letters(count: number): string {
    let text = '';
    for (let i = 0; i < count; i++) text += LETTERS[this.uint32() % 26]!;
    return text;
  }

  /** `count` decimal digits (phone numbers). */
  digits(count: number): string {
    let text = '';
    for (let i = 0; i < count; i++) text += String(this.uint32() % 10);
    return text;
  }

  /**
   * A lower-case version-4 GUID, the shape Dataverse assigns. Written into a buffer and decoded once, so
   * each GUID is one flat 36-byte string: concatenating pieces would leave a tree of string fragments
   * several times that size, and a million GUIDs would hold hundreds of megabytes.
   */
  guid(): string {
    const words = [
      this.uint32(),
      ((this.uint32() & 0xffff0fff) | 0x00004000) >>> 0, // version 4
      ((this.uint32() & 0x3fffffff) | 0x80000000) >>> 0, // RFC 4122 variant
      this.uint32(),
    ];
    let at = 0;
    for (const word of words) {
      for (let shift = 28; shift >= 0; shift -= 4) {
        if (at === 8 || at === 13 || at === 18 || at === 23) GUID_BUFFER[at++] = DASH;
        GUID_BUFFER[at++] = HEX_DIGITS[(word >>> shift) & 15]!;
      }
    }
    return GUID_BUFFER.toString('latin1', 0, 36);
  }
}

/** The random stream named `stream` of the data set `seed`. */
export function createRandom(seed: number, stream: string): SeededRandom {
  return new SeededRandom(seed, stream);
}
