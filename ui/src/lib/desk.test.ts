import { describe, expect, it } from "vitest";
import { clock, latestOnly, shouldLock } from "./desk";

describe("idle lock", () => {
  it("locks an unlocked session once the minutes have passed, not before", () => {
    const start = 1_000_000;
    expect(shouldLock(start + 9 * 60_000, start, 10, false)).toBe(false);
    expect(shouldLock(start + 10 * 60_000, start, 10, false)).toBe(true);
    expect(shouldLock(start + 60 * 60_000, start, 10, true)).toBe(false);
  });
});

describe("type-ahead", () => {
  it("keeps only the answer to the latest search", async () => {
    const delays: Record<string, number> = { s: 30, si: 5 };
    const search = latestOnly((q: string) => new Promise<string>((done) => setTimeout(() => done(q), delays[q])));
    const [first, second] = await Promise.all([search("s"), search("si")]);
    expect(first).toBeUndefined();
    expect(second).toBe("si");
  });
});

describe("wall-clock times", () => {
  it("shows wall-clock times", () => {
    expect(clock("2026-11-23T09:30:00")).toBe("09:30");
  });
});
