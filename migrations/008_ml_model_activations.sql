-- Migration 008: activation history of the model registry.
--
-- Why:
-- * RollbackModel returns a (name, website scope) to the version that was
--   active before the current one, and repeated rollbacks walk further back
--   (A, B, C active in turn: rollback gives B, another gives A). ml_models only
--   knows what is active now, so every activation is recorded here; a rollback
--   removes the entries it undoes. Deleting a model version (or its website)
--   removes its entries: it can never be rolled back to.
-- * The scope index serves "latest activations of this name and scope".
-- WatchActiveModel is pushed with pg_notify from the registry's activation
-- transactions (channel recsys_model_activation), so it needs no schema here.
CREATE TABLE ml_model_activations (
    id BIGSERIAL PRIMARY KEY,
    model_id UUID NOT NULL,
    name VARCHAR(100) NOT NULL,
    website_id UUID,
    activated_at TIMESTAMPTZ NOT NULL DEFAULT NOW(),
    CONSTRAINT fk_ml_model_activations_model
        FOREIGN KEY (model_id) REFERENCES ml_models(id) ON DELETE CASCADE,
    CONSTRAINT fk_ml_model_activations_website
        FOREIGN KEY (website_id) REFERENCES website(website_id) ON DELETE CASCADE
);

CREATE INDEX idx_ml_model_activations_scope ON ml_model_activations (name, website_id, id);
CREATE INDEX idx_ml_model_activations_model ON ml_model_activations (model_id);

COMMENT ON TABLE ml_model_activations IS 'Activation history per model name and website scope, for RollbackModel';
