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
export function lifecycleSql(
  now: string,
  newDays: string,
  atRisk: string,
  churned: string,
  // Column expressions, so a statement can evaluate the stage on values it is about to write.
  firstVisit = 'first_visit',
  lastVisit = 'last_visit',
): Record<LifecycleStage, string> & { expr: string } {
  const before = (days: string) => `(${now}::timestamptz - make_interval(days => ${days}::int))`;
  const [first, last] = [firstVisit, lastVisit];
  const churnedCond = `${last} < ${before(churned)}`;
  const recent = `${last} >= ${before(atRisk)}`;
  const conds: Record<LifecycleStage, string> = {
    churned: churnedCond,
    at_risk: `(${last} < ${before(atRisk)} AND ${last} >= ${before(churned)})`,
    new: `(${recent} AND ${first} >= ${before(newDays)})`,
    active: `(${recent} AND ${first} < ${before(newDays)})`,
  };
  const expr =
    `CASE WHEN ${last} IS NULL THEN NULL WHEN ${churnedCond} THEN 'churned' ` +
    `WHEN ${last} < ${before(atRisk)} THEN 'at_risk' WHEN ${first} >= ${before(newDays)} THEN 'new' ELSE 'active' END`;
  return { ...conds, expr };
}
