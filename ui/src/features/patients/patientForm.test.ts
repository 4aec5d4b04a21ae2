import { describe, expect, it } from "vitest";
import type { Patient } from "../../lib/bindings";
import { blankPatientForm, patientForm, patientInput } from "./patientForm";

const record: Patient = {
  id: "p1", mrn: "A1-1-X", given_name: "Ana", family_name: "Silva", sex: "female", birth_date: "1980-02-03",
  birth_date_estimated: false, phones: ["+44 20 1", "+44 20 2"], email: null, address: "1 High St",
  national_id: null, emergency_contact: { name: "Rui", relation: "brother", phone: "+44 20 3" }, blood_group: "O+",
  allergies: ["penicillin"], notes: "prefers mornings", merged_into: null, merged_from: [], version: 3,
  created_at: "2026-01-01T00:00:00Z", updated_at: "2026-01-01T00:00:00Z",
};

describe("patient form", () => {
  it("sends blank boxes as none, not as empty text", () => {
    const input = patientInput({ ...blankPatientForm(), given_name: "Jo", family_name: "Bloggs", email: "  " });
    expect(input.birth_date).toBeNull();
    expect(input.email).toBeNull();
    expect(input.phones).toEqual([]);
    expect(input.allergies).toEqual([]);
  });

  it("keeps what the edit form does not show", () => {
    const input = patientInput({ ...patientForm(record), email: "ana@example.org" }, record);
    expect(input).toMatchObject({ address: "1 High St", blood_group: "O+", allergies: ["penicillin"], notes: "prefers mornings",
      emergency_contact: record.emergency_contact, email: "ana@example.org", phones: ["+44 20 1", "+44 20 2"] });
  });

  it("replaces only the first phone, and clearing it keeps the others", () => {
    expect(patientInput({ ...patientForm(record), phone: "+44 20 9" }, record).phones).toEqual(["+44 20 9", "+44 20 2"]);
    expect(patientInput({ ...patientForm(record), phone: "" }, record).phones).toEqual(["+44 20 2"]);
  });
});
