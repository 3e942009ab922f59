-- The configured chat model's measured trust per workspace (server/answer-decision/model-trust.ts):
-- what its "the documents answer this" is worth on the workspace's own Help Center, shared by
-- every instance. One row per workspace: a measurement of another model is measured again.
CREATE TABLE model_trust (
  workspace_id text PRIMARY KEY,
  model_key text NOT NULL,
  trust jsonb NOT NULL,
  measured_at timestamptz NOT NULL DEFAULT now()
);
