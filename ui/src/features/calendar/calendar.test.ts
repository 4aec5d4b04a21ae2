import { describe, expect, it } from "vitest";
import { minutesWaited, weekOf } from "./calendar";

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
