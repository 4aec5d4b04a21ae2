import { describe, expect, it } from "vitest";
import type { SyncStatus } from "./bindings";
import { syncLine } from "./sync";

const base: SyncStatus = { enrolled: true, server_url: "https://sync.example",
  server_fingerprint: "AB:CD", organisation_name: "Harbour", waiting: 0,
  last_synced_at: 1_000, offline_since: null, last_error: null, needs_attention: 0 };
const now = new Date(2026, 10, 23, 10, 0).getTime();

describe("sync status line", () => {
  it("says nothing on a workstation that does not sync", () => {
    expect(syncLine({ ...base, enrolled: false }, now)).toBe("");
    expect(syncLine(null, now)).toBe("");
  });

  it("says synced, or how many changes wait", () => {
    expect(syncLine(base, now)).toBe("Synced");
    expect(syncLine({ ...base, waiting: 1 }, now)).toBe("1 change waiting");
    expect(syncLine({ ...base, waiting: 3 }, now)).toBe("3 changes waiting");
  });

  it("says since when it is offline, with the day when it is not today", () => {
    const today = new Date(2026, 10, 23, 9, 14).getTime();
    expect(syncLine({ ...base, offline_since: today, waiting: 2 }, now)).toBe("Offline since 09:14 (2 changes waiting)");
    const before = new Date(2026, 10, 22, 17, 5).getTime();
    expect(syncLine({ ...base, offline_since: before }, now)).toBe("Offline since 2026-11-22 17:05");
  });

  it("tells the day in the site's zone, not UTC's", () => {
    const late = Date.parse("2026-12-31T23:30:00Z");
    const morning = Date.parse("2027-01-01T08:00:00Z");
    expect(syncLine({ ...base, offline_since: late }, morning, "Europe/Berlin")).toBe("Offline since 00:30");
    expect(syncLine({ ...base, offline_since: late }, morning, "America/New_York")).toBe("Offline since 2026-12-31 18:30");
  });
});
