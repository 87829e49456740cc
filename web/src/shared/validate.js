// Checks the server also makes (GB 11643 resident ID, Chinese mobile number), run as the user types.
const W = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
const CHECK = '10X98765432';

/** 18-digit resident ID: digits, a real birth date and the ISO 7064 MOD 11-2 check character. */
export function validIdNumber(s) {
  if (typeof s !== 'string') return false;
  const v = s.trim().toUpperCase();
  if (!/^\d{17}[\dX]$/.test(v)) return false;
  const y = +v.slice(6, 10), m = +v.slice(10, 12), d = +v.slice(12, 14);
  const dt = new Date(Date.UTC(y, m - 1, d));
  if (y < 1900 || dt.getUTCFullYear() !== y || dt.getUTCMonth() !== m - 1 || dt.getUTCDate() !== d) return false;
  let sum = 0;
  for (let i = 0; i < 17; i++) sum += Number(v[i]) * W[i];
  return CHECK[sum % 11] === v[17];
}

/** Mainland mobile number: 11 digits starting 1[3-9] (an optional +86 / 86 prefix is dropped). */
export function validPhone(s) {
  if (typeof s !== 'string') return false;
  const v = s.replace(/[\s-]/g, '').replace(/^(\+?86)/, '');
  return /^1[3-9]\d{9}$/.test(v);
}

/** ISO 7064 MOD 11-2 check of a 21-character case code. */
export function validCaseCode(s) {
  if (typeof s !== 'string' || !/^\d{20}[\dXx]$/.test(s)) return false;
  let sum = 0, w = 2;
  for (let k = 19; k >= 0; k--) {
    sum = (sum + Number(s[k]) * w) % 11;
    w = (w * 2) % 11;
  }
  const c = (12 - sum) % 11;
  return (c === 10 ? 'X' : String(c)) === s[20].toUpperCase();
}
