import { FailedPreconditionError } from '@recsys/service-kit';

export type ModelStatusName = 'training' | 'validating' | 'production' | 'archived';

/**
 * The lifecycle of model.proto's ModelStatus. ARCHIVED → VALIDATING lets a
 * retired version be re-evaluated; ActivateModel itself moves VALIDATING to
 * PRODUCTION, so "only a validated model can be activated".
 */
const TRANSITIONS: Record<ModelStatusName, readonly ModelStatusName[]> = {
  training: ['validating', 'archived'],
  validating: ['production', 'archived'],
  production: ['archived'],
  archived: ['validating'],
};

/** Throws FAILED_PRECONDITION unless `from → to` is allowed; setting the same status is a no-op the caller handles. */
export function checkTransition(from: ModelStatusName, to: ModelStatusName, isActive: boolean, label: string): void {
  if (from === to) return;
  if (!TRANSITIONS[from].includes(to)) {
    throw new FailedPreconditionError(
      `${label}: cannot change status from ${from} to ${to}; allowed from ${from}: ${TRANSITIONS[from].join(', ') || 'none'}`,
    );
  }
  if (isActive && to === 'archived') {
    throw new FailedPreconditionError(`${label} is active: activate another version or deactivate it before archiving`);
  }
}

export function checkActivatable(status: ModelStatusName, label: string): void {
  if (status === 'training' || status === 'archived') {
    throw new FailedPreconditionError(`${label} has status ${status}; only validating or production versions can be activated`);
  }
}
