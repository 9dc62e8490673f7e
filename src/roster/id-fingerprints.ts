/**
 * Finds the external ids that may repeat within one import, in a few bytes per row, so that
 * staging checks only those in Postgres instead of grouping every staged row (1.4 s of serial
 * SQL at the end of a 1,000,000-row import). Each id is hashed to 64 bits (two 32-bit hashes with
 * different seeds); an open-addressing table keeps the hashes seen. An id whose hash is already
 * there is a suspect: a true repeat, or (about n²/2⁶⁵ of them: ~3·10⁻⁸ in a million rows)
 * another id with the same hash. So a roster without repeats has, in practice, no suspects and
 * staging runs no duplicate query at all; Postgres decides which suspects really repeat.
 * Memory: 8 bytes a slot, at most half the slots used, at most MAX_SLOTS slots (64 MB, 4,194,304
 * distinct ids); past that, or past MAX_SUSPECTS suspects, the set gives up (`suspects()` is
 * null) and staging groups every row in SQL instead. Pure.
 */
const MAX_SLOTS = 1 << 23;
const MAX_SUSPECTS = 10_000;

export class IdFingerprints {
  /** Slot i is (slots[2i], slots[2i+1]); (0, 0) marks an empty slot (hash() never gives it). */
  private slots = new Int32Array(2 << 14);
  private used = 0;
  private readonly suspectSet = new Set<string>();
  private overflowed = false;

  /** Records one id (as staged: trimmed and cleaned). */
  add(id: string): void {
    if (this.overflowed) return;
    const h1 = hash(id, 0x9747b28c);
    const h2 = hash(id, 0x5bd1e995);
    if (this.has(h1, h2)) {
      if (this.suspectSet.size >= MAX_SUSPECTS) this.giveUp();
      else this.suspectSet.add(id);
      return;
    }
    if ((this.used + 1) * 4 > this.slots.length) {
      if (this.slots.length >= MAX_SLOTS * 2) return this.giveUp();
      this.grow();
    }
    this.insert(h1, h2);
    this.used++;
  }

  /**
   * Records one id and says at once whether its fingerprint is new: true for a first sighting,
   * false for a repeat (or, about n²/2⁶⁵ of the time, another id with the same hash), null once
   * the set has given up (past MAX_SLOTS ids). Independent of `add`'s suspects.
   */
  addNew(id: string): boolean | null {
    if (this.overflowed) return null;
    const h1 = hash(id, 0x9747b28c);
    const h2 = hash(id, 0x5bd1e995);
    if (this.has(h1, h2)) return false;
    if ((this.used + 1) * 4 > this.slots.length) {
      if (this.slots.length >= MAX_SLOTS * 2) {
        this.giveUp();
        return null;
      }
      this.grow();
    }
    this.insert(h1, h2);
    this.used++;
    return true;
  }

  /** The ids that may appear more than once, or null when the set gave up. */
  suspects(): string[] | null {
    return this.overflowed ? null : [...this.suspectSet];
  }

  private has(h1: number, h2: number): boolean {
    const slots = this.slots;
    const mask = (slots.length >> 1) - 1;
    for (let s = h1 & mask; slots[2 * s] !== 0; s = (s + 1) & mask) if (slots[2 * s] === h1 && slots[2 * s + 1] === h2) return true;
    return false;
  }

  private insert(h1: number, h2: number): void {
    const slots = this.slots;
    const mask = (slots.length >> 1) - 1;
    let s = h1 & mask;
    while (slots[2 * s] !== 0) s = (s + 1) & mask;
    slots[2 * s] = h1;
    slots[2 * s + 1] = h2;
  }

  private grow(): void {
    const old = this.slots;
    this.slots = new Int32Array(old.length * 2);
    for (let s = 0; s < old.length; s += 2) if (old[s] !== 0) this.insert(old[s]!, old[s + 1]!);
  }

  private giveUp(): void {
    this.overflowed = true;
    this.slots = new Int32Array(0);
    this.suspectSet.clear();
  }
}

/** MurmurHash3's 32-bit mix over UTF-16 code units, from a seed; never 0 (0 marks an empty slot). */
function hash(id: string, seed: number): number {
  let h = seed ^ id.length;
  for (let i = 0; i < id.length; i++) {
    let k = Math.imul(id.charCodeAt(i), 0xcc9e2d51);
    k = Math.imul((k << 15) | (k >>> 17), 0x1b873593);
    h ^= k;
    h = Math.imul((h << 13) | (h >>> 19), 5) + 0xe6546b64;
  }
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h === 0 ? 1 : h;
}
