/**
 * How the CLI prints a contract enum: `LIFECYCLE_STAGE_AT_RISK` → `at_risk`, `FALLBACK_REASON_NO_ACTIVE_MODEL` →
 * `no_active_model`; unspecified (or a number the CLI does not know) → `-`. One rule for tables and `--json`.
 */
export const enumName = (name: string | undefined, prefix: string): string =>
  !name || name.endsWith('_UNSPECIFIED') ? '-' : name.slice(prefix.length).toLowerCase();
