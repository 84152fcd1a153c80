import { randomFillSync } from 'node:crypto';

/** Hex of every byte value, so formatting an id is 16 table reads, not 16 toString(16) calls. */
const HEX = Array.from({ length: 256 }, (_, b) => b.toString(16).padStart(2, '0'));

/** Random bytes fetched per refill: one crypto call per 256 ids. */
const POOL_BYTES = 8 * 256;

/**
 * UUIDs of version 7 (RFC 9562): a 48-bit Unix time in milliseconds first,
 * then random bits, so an id made later sorts after an earlier one.
 *
 * Why not random (v4) ids for rows: a B-tree over random keys inserts each new
 * row into a random leaf page, so every insert touches a page nobody touched
 * recently (cache misses, full-page images in the WAL after each checkpoint,
 * half-empty pages after splits); time-ordered keys append to the rightmost
 * leaves. For the recommendation log (primary key and recommendation_id) PostgreSQL
 * spent 0.87-0.88x the CPU and, on a table of 1M rows, 0.75x the WAL per batch
 * with these (BENCHMARKS.md, bench:log-write).
 *
 * Layout: 48 bits of time, version 7, 12 bits of a counter (RFC 9562 §6.2,
 * method 1) so that ids of one generator within one millisecond still
 * increase, variant 10, 62 random bits. When the counter runs out within a
 * millisecond, or the clock steps back, the generator carries on from its last
 * time, so its ids never go backwards. The 62 random bits keep an id
 * unguessable (a recommendation id is what RecordOutcome is called with).
 */
export class TimeOrderedIds {
  private lastMs = 0;
  private counter = 0;
  private readonly pool = Buffer.alloc(POOL_BYTES);
  private poolAt = POOL_BYTES;

  constructor(private readonly now: () => number = Date.now) {}

  next(): string {
    let ms = this.now();
    if (ms > this.lastMs) {
      this.lastMs = ms;
      this.counter = 0;
    } else if (this.counter < 0xfff) {
      ms = this.lastMs;
      this.counter++;
    } else {
      ms = ++this.lastMs;
      this.counter = 0;
    }
    if (this.poolAt === POOL_BYTES) {
      randomFillSync(this.pool);
      this.poolAt = 0;
    }
    const r = this.pool;
    const i = this.poolAt;
    this.poolAt += 8;
    // 48-bit time as two numbers: the high 16 bits and the low 32 (bit operations are 32-bit).
    const high = Math.floor(ms / 0x1_0000_0000);
    const low = ms >>> 0;
    const c = this.counter;
    return (
      HEX[(high >>> 8) & 0xff]! +
      HEX[high & 0xff]! +
      HEX[low >>> 24]! +
      HEX[(low >>> 16) & 0xff]! +
      '-' +
      HEX[(low >>> 8) & 0xff]! +
      HEX[low & 0xff]! +
      '-' +
      HEX[0x70 | (c >>> 8)]! +
      HEX[c & 0xff]! +
      '-' +
      HEX[0x80 | (r[i]! & 0x3f)]! +
      HEX[r[i + 1]!]! +
      '-' +
      HEX[r[i + 2]!]! +
      HEX[r[i + 3]!]! +
      HEX[r[i + 4]!]! +
      HEX[r[i + 5]!]! +
      HEX[r[i + 6]!]! +
      HEX[r[i + 7]!]!
    );
  }
}

/** The Unix time in milliseconds an id of version 7 carries; undefined for any other string. */
export function timeOfUuidV7(id: string): number | undefined {
  if (!/^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/.test(id)) return undefined;
  return parseInt(id.slice(0, 8) + id.slice(9, 13), 16);
}
