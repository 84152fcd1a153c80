/**
 * Allowed values of the enumerated text columns, in the order of their CHECK
 * constraints (migrations/004_enumerated_value_checks.sql). Entities and
 * services use these lists; the schema-diff test keeps them equal to the SQL.
 */
export const LIFECYCLE_STAGES = ['new', 'active', 'at_risk', 'churned'] as const;
export type LifecycleStage = (typeof LIFECYCLE_STAGES)[number];

export const FUNNEL_POSITIONS = ['awareness', 'consideration', 'decision', 'retention'] as const;
export type FunnelPosition = (typeof FUNNEL_POSITIONS)[number];

export const PRICE_SENSITIVITIES = ['low', 'medium', 'high'] as const;
export type PriceSensitivity = (typeof PRICE_SENSITIVITIES)[number];

export const DEVICE_PREFERENCES = ['mobile', 'tablet', 'desktop'] as const;
export type DevicePreference = (typeof DEVICE_PREFERENCES)[number];

export const MODEL_STATUSES = ['training', 'validating', 'production', 'archived'] as const;
export type ModelStatus = (typeof MODEL_STATUSES)[number];
