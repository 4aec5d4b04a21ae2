import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { Autosave, type SaveState } from "./autosave";

function saver(delay = 1500) {
  const saved: string[] = [];
  const states: SaveState["kind"][] = [];
  let fail = false;
  let release: (() => void) | null = null;
  let hold = false;
  const save = async (v: string) => {
    if (hold) await new Promise<void>((r) => (release = r));
    if (fail) throw { code: "wrong_state", message: "signed" };
    saved.push(v);
    return `at-${saved.length}`;
  };
  const a = new Autosave(save, (s) => states.push(s.kind), delay);
  return { a, saved, states, failNext: (f: boolean) => (fail = f), holdNext: (h: boolean) => (hold = h), release: () => release?.() };
}

describe("saving a note as it is typed", () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it("saves once typing has paused for the delay, the latest text only", async () => {
    const { a, saved } = saver();
    a.changed("H");
    await vi.advanceTimersByTimeAsync(1000);
    a.changed("He");
    await vi.advanceTimersByTimeAsync(1000);
    a.changed("Hello");
    expect(saved).toEqual([]);
    await vi.advanceTimersByTimeAsync(1499);
    expect(saved).toEqual([]);
    await vi.advanceTimersByTimeAsync(1);
    expect(saved).toEqual(["Hello"]);
    expect(a.pending).toBe(false);
  });

  it("saves at once on flush (blur, signing), and not again after", async () => {
    const { a, saved, states } = saver();
    a.changed("Cough");
    await a.flush();
    expect(saved).toEqual(["Cough"]);
    await vi.advanceTimersByTimeAsync(5000);
    expect(saved).toEqual(["Cough"]);
    expect(states).toEqual(["pending", "saving", "saved"]);
  });

  it("saves what was typed during a save right after it, and a flush waits for both", async () => {
    const { a, saved, holdNext, release, states } = saver();
    holdNext(true);
    a.changed("one");
    const first = a.flush();
    await vi.advanceTimersByTimeAsync(0);
    holdNext(false);
    a.changed("one two");
    const second = a.flush();
    release();
    await Promise.all([first, second]);
    expect(saved).toEqual(["one", "one two"]);
    expect(states.at(-1)).toBe("saved");
  });

  it("keeps a failed save as unsaved, and tries again on the next flush", async () => {
    const { a, saved, failNext, states } = saver();
    failNext(true);
    a.changed("text");
    await a.flush();
    expect(states.at(-1)).toBe("failed");
    expect(a.pending).toBe(true);
    failNext(false);
    await a.flush();
    expect(saved).toEqual(["text"]);
    expect(a.pending).toBe(false);
  });

  it("saves nothing when nothing changed", async () => {
    const { a, saved, states } = saver();
    await a.flush();
    expect(saved).toEqual([]);
    expect(states).toEqual([]);
  });
});
