-- Migration 005: what the model registry needs on top of the seed's ml_models.
--
-- Why:
-- * website_id: a model may be trained for one website (NULL = serves every
--   website); deleting the website deletes its models.
-- * artifact_sha256: the registry verifies uploads and ranking caches artifacts
--   on disk by content hash; lowercase hex only, so comparisons are plain text.
-- * feature_names / input_name / output_name: the ONNX contract ranking needs to
--   build the feature matrix in the order the model declares.
-- * description, updated_at: human notes and change tracking for the CLI.
-- * one active model per (name, website scope): ActivateModel swaps the active
--   version in a transaction; this partial unique index makes "two active" an
--   error (23505) instead of a silent inconsistency. COALESCE maps the NULL
--   scope to a fixed uuid because NULLs never collide in a unique index.
ALTER TABLE ml_models
    ADD COLUMN website_id UUID,
    ADD COLUMN artifact_sha256 CHAR(64),
    ADD COLUMN feature_names JSONB,
    ADD COLUMN input_name VARCHAR(255),
    ADD COLUMN output_name VARCHAR(255),
    ADD COLUMN description TEXT,
    ADD COLUMN updated_at TIMESTAMPTZ NOT NULL DEFAULT NOW(),
    ADD CONSTRAINT fk_ml_models_website
        FOREIGN KEY (website_id) REFERENCES website(website_id) ON DELETE CASCADE,
    ADD CONSTRAINT ml_models_artifact_sha256_check
        CHECK (artifact_sha256 ~ '^[0-9a-f]{64}$');

-- Index the FK so deleting a website does not scan ml_models.
CREATE INDEX idx_ml_models_website ON ml_models(website_id);

CREATE UNIQUE INDEX uq_ml_models_one_active
    ON ml_models (name, COALESCE(website_id, '00000000-0000-0000-0000-000000000000'::uuid))
    WHERE is_active;

COMMENT ON COLUMN ml_models.website_id IS 'Website this model serves; NULL = every website';
COMMENT ON COLUMN ml_models.artifact_sha256 IS 'Lowercase hex sha256 of the artifact bytes';
COMMENT ON COLUMN ml_models.feature_names IS 'JSONB array: the feature vocabulary names, in model input column order';
