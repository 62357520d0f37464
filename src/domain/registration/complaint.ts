/**
 * Complaints (CMP-1, §56), pure.
 */
import { addDays, yearsBefore, type CivilDate } from '../dates.ts';

/** §56(1): within 4 weeks of being told of the decision. */
export const COMPLAINT_DAYS = 28;
/** §56(2): comments on the re-assessment go to the ministry within 4 weeks. */
export const COMMENT_DAYS = 28;
/** §56(3): a residence registration more than 2 years old, unchanged since, cannot be complained about. */
export const RESIDENCE_COMPLAINT_YEARS = 2;

export const MINISTRY = 'Indenrigs- og Sundhedsministeriet';

export type Admissibility = { admissible: true } | { admissible: false; code: 'complaint_too_late' | 'registration_too_old'; reason: string; reasonDa: string };

/** §56(1): a complaint is lodged within 4 weeks from when the complainant was told of the decision. */
export function complaintDeadline(notifiedOn: CivilDate): CivilDate {
  return addDays(notifiedOn, COMPLAINT_DAYS);
}

export function admissibility(c: {
  lodgedOn: CivilDate;
  /** A decision complained of: when the complainant was told of it. */
  notifiedOn?: CivilDate | null;
  /** A residence registration complained of: when it was last registered or changed. */
  residenceRegisteredOn?: CivilDate | null;
}): Admissibility {
  if (c.notifiedOn && c.lodgedOn > complaintDeadline(c.notifiedOn)) {
    return {
      admissible: false,
      code: 'complaint_too_late',
      reason: `§56(1): the complaint was lodged on ${c.lodgedOn}, more than 4 weeks after the decision was notified (${c.notifiedOn}; last day ${complaintDeadline(c.notifiedOn)}).`,
      reasonDa: `Klagen er indgivet ${c.lodgedOn}, mere end 4 uger efter at afgørelsen blev meddelt (${c.notifiedOn}; sidste frist ${complaintDeadline(c.notifiedOn)}), jf. CPR-lovens § 56, stk. 1.`,
    };
  }
  // §56(3): "længere tilbage end 2 år, før klagens fremsættelse, hvis registreringen ikke er blevet ændret i denne periode"
  if (c.residenceRegisteredOn && c.residenceRegisteredOn < yearsBefore(c.lodgedOn, RESIDENCE_COMPLAINT_YEARS)) {
    return {
      admissible: false,
      code: 'registration_too_old',
      reason: `§56(3): the residence registration of ${c.residenceRegisteredOn} lies more than 2 years before the complaint (${c.lodgedOn}) and has not been changed since.`,
      reasonDa: `Bopælsregistreringen fra ${c.residenceRegisteredOn} ligger mere end 2 år før klagen (${c.lodgedOn}) og er ikke ændret siden, jf. CPR-lovens § 56, stk. 3.`,
    };
  }
  return { admissible: true };
}
