// The register and edit forms hold text boxes; the core wants a whole PatientInput. These turn one
// into the other, so an edit keeps every field the form does not show.
import type { Patient, PatientInput } from "../../lib/bindings";

export type PatientForm = {
  given_name: string;
  family_name: string;
  sex: string;
  birth_date: string;
  phone: string;
  email: string;
  national_id: string;
};

export const blankPatientForm = (): PatientForm =>
  ({ given_name: "", family_name: "", sex: "unknown", birth_date: "", phone: "", email: "", national_id: "" });

export function patientForm(p: Patient): PatientForm {
  return { given_name: p.given_name, family_name: p.family_name, sex: p.sex, birth_date: p.birth_date,
    phone: p.phones[0] ?? "", email: p.email ?? "", national_id: p.national_id ?? "" };
}

/** What to send: the form's fields (blank ones as none), over the record being edited if any. */
export function patientInput(form: PatientForm, editing?: Patient): PatientInput {
  const text = (s: string) => (s.trim() === "" ? null : s.trim());
  const kept = editing
    ? { age_years: null, address: editing.address, emergency_contact: editing.emergency_contact, blood_group: editing.blood_group,
        allergies: editing.allergies, notes: editing.notes, birth_date_estimated: editing.birth_date_estimated }
    : { age_years: null, address: null, emergency_contact: null, blood_group: null, allergies: [], notes: null };
  // The first phone is the form's; any others on the record stay behind it.
  const otherPhones = editing?.phones.slice(1) ?? [];
  const phone = text(form.phone);
  return { ...kept, given_name: form.given_name, family_name: form.family_name, sex: form.sex, birth_date: text(form.birth_date),
    phones: phone ? [phone, ...otherPhones] : otherPhones, email: text(form.email), national_id: text(form.national_id) };
}
