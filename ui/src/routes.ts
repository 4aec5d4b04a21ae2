// The window's screens, one entry each: the header's menu and the screen shown both come from
// this table, each entry offered only to a session whose roles hold its permission (the core
// refuses the rest anyway). Adding a screen: its feature folder, and one entry here.
import type { Component } from "svelte";
import type { Permission } from "./lib/bindings";
import Attention from "./features/attention/Attention.svelte";
import Dashboard from "./features/reports/Dashboard.svelte";
import Reports from "./features/reports/Reports.svelte";
import MyDay from "./features/doctor/MyDay.svelte";
import Today from "./features/calendar/Today.svelte";
import Money from "./features/money/Money.svelte";
import Patients from "./features/patients/Patients.svelte";
import Settings from "./features/settings/Settings.svelte";

export type Route = {
  id: string;
  /** The visible name in the menu (end-to-end tests click it by this text). */
  label: string;
  screen: Component;
  /** Offered to a session holding any of these. */
  permissions: Permission[];
  /** "menu": a tab in the header's menu; "header": opened from its own header button. */
  place: "menu" | "header";
};

export const routes: Route[] = [
  // First, so a doctor lands on their day at login (the front desk does not hold it).
  { id: "my-day", label: "My day", screen: MyDay, permissions: ["view_clinical"], place: "menu" },
  // A manager lands on the clinic's day at a glance (no other role sees reports).
  { id: "dashboard", label: "Dashboard", screen: Dashboard, permissions: ["view_reports"], place: "menu" },
  { id: "patients", label: "Patients", screen: Patients, permissions: ["view_patients"], place: "menu" },
  { id: "today", label: "Today", screen: Today, permissions: ["view_schedule"], place: "menu" },
  // The front desk's and the manager's money: invoices, payments, one's cash drawer (a manager: everyone's).
  { id: "money", label: "Money", screen: Money, permissions: ["take_payments", "review_cash_sessions"], place: "menu" },
  // Managers and admins, and doctors for the formulary: whoever may open one of Settings' pages
  // (each page has its own permission; "This workstation" comes with Settings).
  { id: "settings", label: "Settings", screen: Settings, permissions: ["manage_practitioners", "manage_formulary", "manage_prices"], place: "menu" },
  // The manager's reports; an admin's one, who opened which chart, is there too (after Settings,
  // where an admin lands).
  { id: "reports", label: "Reports", screen: Reports, permissions: ["view_reports", "view_audit"], place: "menu" },
  // Shown in the header while something needs attention.
  { id: "attention", label: "Needs attention", screen: Attention, permissions: ["settle_conflicts"], place: "header" },
];

/** The routes a session may open, given its `can`. */
export const allowed = (can: (p: Permission) => boolean) => routes.filter((r) => r.permissions.some(can));

/** The route to show for the chosen id: it, if allowed, else the first allowed menu entry (none chosen: where a login lands). */
export function shown(chosen: string, can: (p: Permission) => boolean): Route | undefined {
  const open = allowed(can);
  return open.find((r) => r.id === chosen) ?? open.find((r) => r.place === "menu");
}
