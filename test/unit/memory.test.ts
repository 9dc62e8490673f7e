import v8 from 'node:v8';
import { describe, expect, it } from 'vitest';
import { releaseMemory } from '../../src/memory';

describe('releaseMemory', () => {
  it('collects a heap grown by what a step held, and gives the pages back', () => {
    // ~100 MB of objects, reachable until the "step" ends.
    let held: { id: string; v: number[] }[] | null = [];
    for (let i = 0; i < 1_000_000; i++) held.push({ id: `practice-${i}`, v: [i, i + 1] });
    expect(v8.getHeapStatistics().total_heap_size).toBeGreaterThan(80 * 1024 * 1024);
    const count = held.length;
    held = null;
    expect(count).toBe(1_000_000);
    const freed = releaseMemory();
    expect(freed).not.toBeNull();
    expect(freed!.before).toBeGreaterThan(80 * 1024 * 1024);
    expect(freed!.before - freed!.after).toBeGreaterThan(50 * 1024 * 1024);
  });

  it('does nothing while the heap is small', () => {
    releaseMemory();
    // Just collected: the heap is far below the threshold, so a second call is a no-op.
    expect(v8.getHeapStatistics().total_heap_size).toBeLessThan(64 * 1024 * 1024);
    expect(releaseMemory()).toBeNull();
  });
});
