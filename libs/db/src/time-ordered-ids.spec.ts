import { randomUUID } from 'node:crypto';
import { TimeOrderedIds, timeOfUuidV7 } from './time-ordered-ids';

const V7 = /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

/** True when every id sorts after the one before it (as text, which for lowercase hex is byte order). */
const increasing = (ids: string[]) => ids.every((id, i) => i === 0 || ids[i - 1]! < id);

describe('TimeOrderedIds', () => {
  it('makes RFC 9562 version 7 UUIDs carrying the time they were made', () => {
    const at = Date.UTC(2026, 10, 26, 11, 40, 0, 123);
    const id = new TimeOrderedIds(() => at).next();
    expect(id).toMatch(V7);
    expect(timeOfUuidV7(id)).toBe(at);
    // The same instant written out: 48 bits of milliseconds in the first 12 hex digits.
    expect(id.slice(0, 8) + id.slice(9, 13)).toBe(at.toString(16).padStart(12, '0'));
  });

  it('keeps increasing within one millisecond, past the 4,096 ids its counter holds', () => {
    const at = 1_764_157_200_000;
    const ids = new TimeOrderedIds(() => at);
    const made = Array.from({ length: 10_000 }, () => ids.next());
    expect(increasing(made)).toBe(true);
    expect(new Set(made).size).toBe(made.length);
    // 4,096 ids per millisecond: the generator then borrows the next milliseconds rather than repeat or go back.
    expect(timeOfUuidV7(made[0]!)).toBe(at);
    expect(timeOfUuidV7(made[4095]!)).toBe(at);
    expect(timeOfUuidV7(made[4096]!)).toBe(at + 1);
    expect(timeOfUuidV7(made[9999]!)).toBe(at + 2);
  });

  it('never goes backwards when the clock does', () => {
    const times = [5_000, 5_001, 4_000, 4_500, 5_001, 5_002, 1];
    let k = 0;
    const ids = new TimeOrderedIds(() => times[k++]!);
    const made = times.map(() => ids.next());
    expect(increasing(made)).toBe(true);
    expect(made.map((id) => timeOfUuidV7(id))).toEqual([5_000, 5_001, 5_001, 5_001, 5_001, 5_002, 5_002]);
  });

  it('sorts ids of later milliseconds after earlier ones from another generator', () => {
    const a = new TimeOrderedIds(() => 1_000).next();
    const b = new TimeOrderedIds(() => 1_001).next();
    expect(a < b).toBe(true);
  });

  it('fills the 62 bits after the variant with randomness: two generators at the same instant differ', () => {
    const made = new Set(Array.from({ length: 1_000 }, () => new TimeOrderedIds(() => 7).next()));
    // Same time and counter in all of them: only the random part can tell them apart.
    expect(made.size).toBe(1_000);
    const tails = [...made].map((id) => id.slice(19));
    expect(new Set(tails.map((t) => t[0])).size).toBe(4); // variant 10xx: 8, 9, a, b
  });

  it('is unique over many ids from the real clock', () => {
    const ids = new TimeOrderedIds();
    const made = Array.from({ length: 100_000 }, () => ids.next());
    expect(new Set(made).size).toBe(made.length);
    expect(increasing(made)).toBe(true);
    const now = Date.now();
    expect(timeOfUuidV7(made[0]!)).toBeLessThanOrEqual(now);
    expect(timeOfUuidV7(made[0]!)).toBeGreaterThan(now - 60_000);
  });

  it('reads no time from ids that are not version 7', () => {
    expect(timeOfUuidV7(randomUUID())).toBeUndefined();
    expect(timeOfUuidV7('not a uuid')).toBeUndefined();
    expect(timeOfUuidV7('0192f0e4-1c2b-7abc-8def-0123456789AB')).toBeUndefined();
  });
});
