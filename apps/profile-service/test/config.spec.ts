import { ConfigError } from '@recsys/service-kit';
import { loadServiceConfig } from '../src/config';

describe('profile-service configuration', () => {
  const base = { DATABASE_URL: 'postgres://u@h:5432/db' };

  it('defaults to the contract thresholds (7 / 30 / 90 days), hourly refresh, 35-day event-id retention, 400-day interaction retention', () => {
    expect(loadServiceConfig(base).profiles).toEqual({
      lifecycle: { newDays: 7, atRiskDays: 30, churnedDays: 90 },
      lifecycleRefreshIntervalMs: 3_600_000,
      derivedSettleIntervalMs: 10_000,
      eventIdRetentionDays: 35,
      profileRetentionDays: 400,
      interactionRetentionDays: 400,
      itemSignals: { halfLifeDays: 30, ttlMs: 30_000, maxItems: 10_000, neighbours: 20, pairBudget: 10_000_000 },
      priceReferenceTtlMs: 60_000,
      dbPoolMax: 10,
    });
  });

  it('names every bad profile variable', () => {
    const load = () =>
      loadServiceConfig({ ...base, EVENT_ID_RETENTION_DAYS: '7', LIFECYCLE_AT_RISK_DAYS: '120', LIFECYCLE_NEW_DAYS: 'soon' });
    expect(load).toThrow(ConfigError);
    const problems = (() => {
      try {
        load();
      } catch (err) {
        return (err as ConfigError).problems.join('\n');
      }
      return '';
    })();
    expect(problems).toMatch(/EVENT_ID_RETENTION_DAYS: expected at least 30/);
    expect(problems).toMatch(/LIFECYCLE_NEW_DAYS: expected a number/);
  });

  it('refuses an at-risk threshold not below the churn threshold', () => {
    expect(() => loadServiceConfig({ ...base, LIFECYCLE_AT_RISK_DAYS: '120' })).toThrow(/LIFECYCLE_AT_RISK_DAYS: must be below LIFECYCLE_CHURNED_DAYS/);
  });

  it('refuses a profile retention not above the churn threshold: a visitor is churned before being forgotten', () => {
    expect(() => loadServiceConfig({ ...base, PROFILE_RETENTION_DAYS: '90' })).toThrow(/PROFILE_RETENTION_DAYS: must be above LIFECYCLE_CHURNED_DAYS/);
    expect(loadServiceConfig({ ...base, PROFILE_RETENTION_DAYS: '91' }).profiles.profileRetentionDays).toBe(91);
  });
});
