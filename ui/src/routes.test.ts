import { describe, expect, it } from "vitest";
import type { Permission } from "./lib/bindings";
import { allowed, routes, shown } from "./routes";

const holding = (...ps: Permission[]) => (p: Permission) => ps.includes(p);
const desk = holding("view_patients", "view_schedule", "settle_conflicts", "take_payments", "view_accounts", "view_balance");
const manager = holding("view_patients", "view_schedule", "manage_practitioners", "take_payments", "manage_prices", "review_cash_sessions", "view_reports");
const doctor = holding("view_clinical", "write_clinical", "manage_formulary", "view_patients", "view_schedule", "settle_conflicts", "view_balance");
const admin = holding("manage_clinic", "manage_staff", "view_audit", "manage_practitioners", "manage_appointment_types", "settle_conflicts");

describe("the route table", () => {
  it("keeps the menu's labels and order", () => {
    expect(routes.filter((r) => r.place === "menu").map((r) => r.label)).toEqual(["My day", "Dashboard", "Patients", "Today", "Money", "Settings", "Reports"]);
  });

  it("offers each session only what its permissions allow", () => {
    expect(allowed(desk).map((r) => r.id)).toEqual(["patients", "today", "money", "attention"]);
    expect(allowed(manager).map((r) => r.id)).toEqual(["dashboard", "patients", "today", "money", "settings", "reports"]);
    // An admin's report is who opened which chart.
    expect(allowed(admin).map((r) => r.id)).toEqual(["settings", "reports", "attention"]);
    // A doctor manages the formulary: Settings, for that page; no Money (only a patient's balance).
    expect(allowed(doctor).map((r) => r.id)).toEqual(["my-day", "patients", "today", "settings", "attention"]);
  });

  it("shows the chosen screen if allowed, else the first allowed menu entry", () => {
    expect(shown("today", desk)?.id).toBe("today");
    expect(shown("patients", admin)?.id).toBe("settings");
    expect(shown("attention", admin)?.id).toBe("attention");
    expect(shown("settings", holding())).toBeUndefined();
  });

  it("lands a doctor on My day at login, the front desk on Patients, a manager on the dashboard", () => {
    expect(shown("", doctor)?.id).toBe("my-day");
    expect(shown("", desk)?.id).toBe("patients");
    expect(shown("", manager)?.id).toBe("dashboard");
  });
});
