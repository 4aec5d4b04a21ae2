import { describe, expect, it } from "vitest";
import type { Appointment } from "../../lib/bindings";
import { splitAppointments, visibleChanges } from "./chart";

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
