import { describe, expect, it } from "vitest";
import { appError, errorMessage, fieldErrors, hasCode } from "./errors";

const invalid = { code: "invalid", message: "Give a phone number with digits.", field: "phones" } as const;

describe("reading a refused command", () => {
  it("keeps the core's error as it is", () => {
    expect(appError(invalid)).toBe(invalid);
    expect(errorMessage(invalid)).toBe("Give a phone number with digits.");
    expect(hasCode(invalid, "double_booking", "invalid")).toBe(true);
    expect(hasCode(invalid, "double_booking")).toBe(false);
  });

  it("reads anything else thrown as internal", () => {
    expect(appError(new Error("boom"))).toEqual({ code: "internal", message: "boom", field: null });
    expect(appError("bridge down")).toEqual({ code: "internal", message: "bridge down", field: null });
    expect(errorMessage(undefined)).toBe("undefined");
  });

  it("puts the message beside its field, or under form", () => {
    expect(fieldErrors(invalid)).toEqual({ phones: "Give a phone number with digits." });
    expect(fieldErrors({ code: "not_found", message: "Gone.", field: null })).toEqual({ form: "Gone." });
    expect(fieldErrors({ code: "not_found", message: "Gone." })).toEqual({ form: "Gone." });
    expect(fieldErrors(invalid, "edit_")).toEqual({ edit_phones: "Give a phone number with digits." });
  });
});
