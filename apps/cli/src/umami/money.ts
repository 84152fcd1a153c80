/**
 * Money as the profile contract takes it (docs/contracts.md): an exact
 * decimal of up to 15 integer and 4 fraction digits. Arithmetic in
 * ten-thousandths with BigInt, so splitting an order into lines never loses
 * or invents a cent.
 */
const DECIMAL = /^\d{1,15}(\.\d{1,4})?$/;

/** A non-negative decimal text cut to 4 fraction digits, or '' when it is not one the contract accepts. */
export function money(value: string): string {
  if (!/^\d+(\.\d+)?$/.test(value)) return '';
  const cut = value.replace(/^(\d+\.\d{4})\d+$/, '$1');
  return DECIMAL.test(cut) ? cut : '';
}

/** `money` in ten-thousandths. */
export function toUnits(value: string): bigint {
  const [int, frac = ''] = value.split('.');
  return BigInt(int) * 10_000n + BigInt(frac.padEnd(4, '0').slice(0, 4));
}

/** Ten-thousandths back to a decimal text ("12.5000" → "12.5", "3" → "3"). */
export function fromUnits(units: bigint): string {
  const int = units / 10_000n;
  const frac = (units % 10_000n).toString().padStart(4, '0').replace(/0+$/, '');
  return frac ? `${int}.${frac}` : `${int}`;
}
