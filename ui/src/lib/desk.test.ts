import { describe, expect, it } from "vitest";
import { clock, idleLockMinutes, latestOnly, minutesWaited, shouldLock, splitAppointments, visibleChanges } from "./desk";
import type { Appointment } from "./bindings";

describe("idle lock", () => {
  it("defaults to 10 minutes and keeps the setting within 1–120", () => {
    expect(idleLockMinutes(null)).toBe(10);
    expect(idleLockMinutes("abc")).toBe(10);
    expect(idleLockMinutes("0")).toBe(1);
    expect(idleLockMinutes("500")).toBe(120);
    expect(idleLockMinutes("7")).toBe(7);
  });

  it("locks an unlocked session once the minutes have passed, not before", () => {
    const start = 1_000_000;
    expect(shouldLock(start + 9 * 60_000, start, 10, false)).toBe(false);
    expect(shouldLock(start + 10 * 60_000, start, 10, false)).toBe(true);
    expect(shouldLock(start + 60 * 60_000, start, 10, true)).toBe(false);
  });
});

describe("a patient's appointments", () => {
  const at = (local_start: string) => ({ id: local_start, local_start }) as Appointment;
  it("splits newest-first appointments into upcoming (soonest first) and past (latest first)", () => {
    const { upcoming, past } = splitAppointments(
      [at("2026-12-01T10:00:00"), at("2026-11-25T09:00:00"), at("2026-11-20T09:00:00"), at("2026-10-01T09:00:00")],
      "2026-11-21T08:00",
    );
    expect(upcoming.map((a) => a.id)).toEqual(["2026-11-25T09:00:00", "2026-12-01T10:00:00"]);
    expect(past.map((a) => a.id)).toEqual(["2026-11-20T09:00:00", "2026-10-01T09:00:00"]);
  });

  it("shows wall-clock times", () => {
    expect(clock("2026-11-23T09:30:00")).toBe("09:30");
  });
});

describe("history", () => {
  it("leaves out a new record's empty fields and unchanged values", () => {
    const shown = visibleChanges([
      { field: "email", old: null, new: null },
      { field: "allergies", old: null, new: [] },
      { field: "family_name", old: null, new: "Silva" },
      { field: "phones", old: ["1"], new: ["1"] },
      { field: "given_name", old: "Ana", new: "Anna" },
    ]);
    expect(shown.map((c) => c.field)).toEqual(["family_name", "given_name"]);
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

import { weekOf } from "./desk";

describe("the week view", () => {
  it("runs Monday to Sunday around any day, across months and years", () => {
    expect(weekOf("2026-11-21")).toEqual(["2026-11-16", "2026-11-17", "2026-11-18", "2026-11-19", "2026-11-20", "2026-11-21", "2026-11-22"]);
    expect(weekOf("2026-11-23")[0]).toBe("2026-11-23");
    expect(weekOf("2027-01-01")).toEqual(["2026-12-28", "2026-12-29", "2026-12-30", "2026-12-31", "2027-01-01", "2027-01-02", "2027-01-03"]);
  });
});

describe("queue timers", () => {
  const arrived = "2026-11-23T09:00:00Z";
  const at = (time: string) => Date.parse(`2026-11-23T${time}Z`);

  it("counts up while the patient waits", () => {
    const entry = { status: "waiting", arrived_at: arrived, called_at: null, waiting_minutes: 0 };
    expect(minutesWaited(entry, at("09:00:30"))).toBe(0);
    expect(minutesWaited(entry, at("09:31:59"))).toBe(31);
  });

  it("stops when they are called", () => {
    const entry = { status: "called", arrived_at: arrived, called_at: "2026-11-23T09:12:00Z", waiting_minutes: 12 };
    expect(minutesWaited(entry, at("10:00:00"))).toBe(12);
  });

  it("falls back to the server's figure when a time cannot be read", () => {
    expect(minutesWaited({ status: "served", arrived_at: arrived, called_at: null, waiting_minutes: 7 }, at("10:00:00"))).toBe(7);
    expect(minutesWaited({ status: "waiting", arrived_at: "garbled", called_at: null, waiting_minutes: 3 }, at("10:00:00"))).toBe(3);
  });
});
