/**
 * CVR numbers (Det Centrale Virksomhedsregister): 8 digits, the first not 0,
 * with a modulus-11 check: the digits weighted 2, 7, 6, 5, 4, 3, 2, 1 sum to a
 * multiple of 11 (e.g. 61126228: 12+7+6+10+24+6+4+8 = 77 = 7·11).
 */

export const CVR_WEIGHTS = [2, 7, 6, 5, 4, 3, 2, 1] as const;

/** The weighted sum of an 8-digit number. */
export function cvrSum(digits: string): number {
  let s = 0;
  for (let i = 0; i < 8; i++) s += Number(digits[i]) * CVR_WEIGHTS[i]!;
  return s;
}

export function isValidCvr(value: string): boolean {
  return /^[1-9]\d{7}$/.test(value) && cvrSum(value) % 11 === 0;
}

/**
 * The check digit (the 8th) that makes the 7 digits given a valid CVR number,
 * or null when there is none (the remainder would need a "10"): such a
 * 7-digit stem is never used.
 */
export function cvrCheckDigit(first7: string): number | null {
  if (!/^[1-9]\d{6}$/.test(first7)) throw new RangeError(`"${first7}" is not 7 digits starting with 1-9`);
  const r = cvrSum(`${first7}0`) % 11;
  const d = (11 - r) % 11;
  return d === 10 ? null : d;
}

/**
 * Synthetic CVR numbers for generated data: valid-looking (modulus 11) and
 * all starting with 9 — the CVR issues numbers upwards from 10000000 and is in
 * the 40-million range, so they should not be a real company's number (not a
 * guarantee; the names given with them say "Syntetisk").
 * `n` = 0, 1, 2, … gives distinct numbers in a fixed order.
 */
export function syntheticCvr(n: number): string {
  // Stems 9000000 + k; about one stem in eleven has no check digit and is skipped.
  let k = 0;
  let found = -1;
  for (;;) {
    const stem = String(9_000_000 + k);
    const d = cvrCheckDigit(stem);
    if (d !== null && ++found === n) return stem + d;
    k++;
    if (k > 999_999) throw new RangeError('no more synthetic CVR numbers');
  }
}
