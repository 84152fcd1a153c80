import type { LifecycleStage } from '@recsys/db';
import type { LifecycleThresholds } from './config';

const DAY_MS = 86_400_000;

/**
 * LifecycleStage (profile.proto), first match wins:
 * churned when last_visit is more than `churnedDays` ago, at_risk when more
 * than `atRiskDays` ago, new when first_visit is at most `newDays` ago,
 * active otherwise. Evaluated against `now` on every read, so a profile that
 * receives no events still moves on.
 */
export function lifecycleStageAt(
  firstVisit: Date | null,
  lastVisit: Date | null,
  now: Date,
  t: LifecycleThresholds,
): LifecycleStage | null {
  if (!firstVisit || !lastVisit) return null;
  const sinceLast = now.getTime() - lastVisit.getTime();
  if (sinceLast > t.churnedDays * DAY_MS) return 'churned';
  if (sinceLast > t.atRiskDays * DAY_MS) return 'at_risk';
  if (now.getTime() - firstVisit.getTime() <= t.newDays * DAY_MS) return 'new';
  return 'active';
}

/**
 * The same rule in SQL over user_profiles columns, for the stored column and
 * for ListProfiles filters. `$now`, `$new`, `$risk`, `$churn` are the
 * placeholders of the timestamp and the three day thresholds.
 */
export function lifecycleSql(now: string, newDays: string, atRisk: string, churned: string): Record<LifecycleStage, string> & { expr: string } {
  const before = (days: string) => `(${now}::timestamptz - make_interval(days => ${days}::int))`;
  const churnedCond = `last_visit < ${before(churned)}`;
  const recent = `last_visit >= ${before(atRisk)}`;
  const conds: Record<LifecycleStage, string> = {
    churned: churnedCond,
    at_risk: `(last_visit < ${before(atRisk)} AND last_visit >= ${before(churned)})`,
    new: `(${recent} AND first_visit >= ${before(newDays)})`,
    active: `(${recent} AND first_visit < ${before(newDays)})`,
  };
  const expr =
    `CASE WHEN last_visit IS NULL THEN NULL WHEN ${churnedCond} THEN 'churned' ` +
    `WHEN last_visit < ${before(atRisk)} THEN 'at_risk' WHEN first_visit >= ${before(newDays)} THEN 'new' ELSE 'active' END`;
  return { ...conds, expr };
}
