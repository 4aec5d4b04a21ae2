import { describe, expect, it } from "vitest";
import { restoredLine, size } from "./backups";

describe("the backups page's words", () => {
  it("says a size to a tenth under 10 MB, whole above", () => {
    expect(size(0.04)).toBe("0.0 MB");
    expect(size(1.26)).toBe("1.3 MB");
    expect(size(340.4)).toBe("340 MB");
    expect(size(null)).toBe("");
  });

  it("says what a restore did: caught up with the server, and where the replaced data is", () => {
    const line = restoredLine({ clinic_name: "Riverside", made_at: Date.UTC(2026, 10, 23, 3, 0), caught_up: 12, previous: "/data/clinic.db.before-restore-20261124T090000" });
    expect(line).toContain("It caught up with the server: 12 changes since the backup.");
    expect(line).toContain("kept in /data/clinic.db.before-restore-20261124T090000");
    expect(line.endsWith("Log in again.")).toBe(true);
    const alone = restoredLine({ clinic_name: null, made_at: 0, caught_up: null, previous: null });
    expect(alone).not.toContain("server");
    expect(alone).not.toContain("kept in");
  });
});
