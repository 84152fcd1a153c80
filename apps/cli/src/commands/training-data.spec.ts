import { validationStart } from './training-data';

describe('validationStart', () => {
  // 100 interactions at t = 0..99.
  const log = Array.from({ length: 100 }, (_, at) => ({ at }));

  it('the last fifth by time without an active model, or when the active one was trained before it', () => {
    expect(validationStart(log, undefined)).toBe(80);
    expect(validationStart(log, new Date(50))).toBe(80);
  });

  it('after the active model\'s training data when that leaves at least 5 % of the log', () => {
    expect(validationStart(log, new Date(90))).toBe(91); // t 91..99: 9 %
    expect(validationStart(log, new Date(94))).toBe(95); // 95..99: exactly 5 %
  });

  it('the last fifth again when too little came after it (the active model then saw part of the split)', () => {
    expect(validationStart(log, new Date(95))).toBe(80); // 4 % left
    expect(validationStart(log, new Date(200))).toBe(80);
  });
});
