import { InvalidArgumentError } from '@recsys/service-kit';

/** Field checks shared by the RPCs; each error starts with the field path (docs/contracts.md). */
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
/** Up to 15 integer and 4 fraction digits, no sign or exponent (docs/contracts.md, Money). */
const DECIMAL = /^\d{1,15}(\.\d{1,4})?$/;
const MODEL_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$/;
export const FUTURE_SLACK_MS = 5 * 60_000;

export function uuid(value: string, field: string): string {
  if (!UUID.test(value)) throw new InvalidArgumentError(`must be a UUID, got ${JSON.stringify(value.slice(0, 64))}`, field);
  return value.toLowerCase();
}

export function itemId(value: string, field: string): string {
  if (value.length === 0) throw new InvalidArgumentError('must not be empty', field);
  if (value.length > 255) throw new InvalidArgumentError(`must be at most 255 characters, got ${value.length}`, field);
  return value;
}

/** A user id as Recommend and the profiles take it: 1..255 characters. */
export function userId(value: string, field: string): string {
  return itemId(value, field);
}

export function maxLength(value: string, max: number, field: string): string {
  if (value.length > max) throw new InvalidArgumentError(`must be at most ${max} characters, got ${value.length}`, field);
  return value;
}

export function maxCount<T>(list: readonly T[], max: number, field: string): readonly T[] {
  if (list.length > max) throw new InvalidArgumentError(`at most ${max} entries, got ${list.length}`, field);
  return list;
}

export function decimal(value: string, field: string): string {
  if (!DECIMAL.test(value)) throw new InvalidArgumentError(`must be a non-negative decimal such as "19.99", got ${JSON.stringify(value.slice(0, 40))}`, field);
  return value;
}

/** A registry model name, or '' (the service's configured MODEL_NAME). */
export function modelName(value: string, field: string): string {
  if (value === '') return '';
  if (!MODEL_NAME.test(value) || value.includes('..')) {
    throw new InvalidArgumentError('must be 1..100 characters of [A-Za-z0-9._-], starting with a letter or digit, without ".."', field);
  }
  return value;
}

export function notInFuture(value: Date, now: Date, field: string): Date {
  if (Number.isNaN(value.getTime())) throw new InvalidArgumentError('is not a valid timestamp', field);
  if (value.getTime() > now.getTime() + FUTURE_SLACK_MS) throw new InvalidArgumentError('is more than 5 minutes in the future', field);
  return value;
}

/** Distinct ids, each 1..255 characters. */
export function itemIdList(values: readonly string[], max: number, field: string): string[] {
  maxCount(values, max, field);
  return values.map((v, i) => itemId(v, `${field}[${i}]`));
}
