/** Small helpers for drawing from weighted lists and seeding streams. */

/** FNV-1a, 32 bits: seeds a stream from a text, so streams are independent of each other. */
export function hash32(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

/** A picker over [value, weight] pairs: r in [0, 1) to a value, by binary search of the cumulated weights. */
export function weighted<T>(list: readonly (readonly [T, number])[]): (r: number) => T {
  const cum: number[] = [];
  let total = 0;
  for (const [, w] of list) cum.push((total += w));
  return (r) => {
    const x = r * total;
    let lo = 0;
    let hi = cum.length - 1;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (cum[mid]! > x) hi = mid;
      else lo = mid + 1;
    }
    return list[lo]![0];
  };
}
