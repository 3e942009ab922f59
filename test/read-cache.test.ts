import { describe, expect, it } from "vitest";
import { ReadCache } from "../server/storage/read-cache.ts";

describe("a short-lived read cache", () => {
  it("reads a key once while fresh, again once stale or forgotten, and never keeps a failed read", async () => {
    let now = 0;
    let reads = 0;
    const cache = new ReadCache<number>(2000, () => now);
    const load = async () => ++reads;
    expect(await Promise.all([cache.get("w", load), cache.get("w", load)])).toEqual([1, 1]);
    now = 1999;
    expect(await cache.get("w", load)).toBe(1);
    now = 2000;
    expect(await cache.get("w", load)).toBe(2);
    cache.forget("w");
    expect(await cache.get("w", load)).toBe(3);
    expect(await cache.get("other", load)).toBe(4);

    await expect(cache.get("broken", async () => Promise.reject(new Error("database down")))).rejects.toThrow("database down");
    expect(await cache.get("broken", load)).toBe(5);
  });
});
