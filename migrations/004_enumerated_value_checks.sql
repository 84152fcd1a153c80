-- Migration 004: CHECK constraints on the enumerated text columns.
--
-- Why: the seed lists the allowed values only in comments. Services, the
-- trainer and ad-hoc SQL all write these columns; a typo ('at-risk', 'Mobile')
-- would silently split a segment or a feature. NULL stays allowed (unknown yet).
-- Constraint names follow PostgreSQL's default <table>_<column>_check.
ALTER TABLE user_profiles
    ADD CONSTRAINT user_profiles_lifecycle_stage_check
        CHECK (lifecycle_stage IN ('new', 'active', 'at_risk', 'churned')),
    ADD CONSTRAINT user_profiles_funnel_position_check
        CHECK (funnel_position IN ('awareness', 'consideration', 'decision', 'retention')),
    ADD CONSTRAINT user_profiles_price_sensitivity_check
        CHECK (price_sensitivity IN ('low', 'medium', 'high')),
    ADD CONSTRAINT user_profiles_device_preference_check
        CHECK (device_preference IN ('mobile', 'tablet', 'desktop'));

ALTER TABLE ml_models
    ADD CONSTRAINT ml_models_status_check
        CHECK (status IN ('training', 'validating', 'production', 'archived'));
