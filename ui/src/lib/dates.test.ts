import { describe, expect, it } from "vitest";
import { localClock, localDate, localDateTime, today } from "./dates";

// Fixed instants only: nothing here depends on when the tests run or on the machine's zone.
const newYearsEve = Date.parse("2026-12-31T23:30:00Z");

describe("dates in the site's time zone", () => {
  it("gives the site's date, not UTC's, near midnight", () => {
    expect(localDate(newYearsEve, "Europe/Berlin")).toBe("2027-01-01");
    expect(localDate(newYearsEve, "America/New_York")).toBe("2026-12-31");
    expect(localDate(newYearsEve, "UTC")).toBe("2026-12-31");
    expect(today("Europe/Berlin", newYearsEve)).toBe("2027-01-01");
    expect(today("America/New_York", Date.parse("2027-01-01T04:30:00Z"))).toBe("2026-12-31");
    expect(today("America/New_York", Date.parse("2027-01-01T05:30:00Z"))).toBe("2027-01-01");
  });

  it("gives the wall time, midnight as 00", () => {
    expect(localDateTime(newYearsEve, "Europe/Berlin")).toBe("2027-01-01T00:30:00");
    expect(localDateTime("2026-12-31T23:30:00Z", "America/New_York")).toBe("2026-12-31T18:30:00");
    expect(localDateTime(new Date("2026-06-30T22:00:00Z"), "Europe/Berlin")).toBe("2026-07-01T00:00:00");
    expect(localClock(newYearsEve, "Asia/Kolkata")).toBe("05:00");
  });

  it("gives back what is not an instant rather than failing", () => {
    expect(localDateTime("not a time", "Europe/Berlin")).toBe("not a time");
  });

  it("reads the core's instants with fractions of a second", () => {
    expect(localDateTime("2026-11-23T09:40:00.123456Z", "Europe/Berlin")).toBe("2026-11-23T10:40:00");
  });

  it("follows summer time", () => {
    expect(localClock("2026-03-29T00:30:00Z", "Europe/Berlin")).toBe("01:30");
    expect(localClock("2026-03-29T01:30:00Z", "Europe/Berlin")).toBe("03:30");
  });
});
