-- Each workspace's answer-decision model, per embedder: fitted on its own Help Center after a sync
-- (self-calibration), shared by every instance.
CREATE TABLE calibrations (
  workspace_id text NOT NULL,
  embedder_id text NOT NULL,
  help_center_version text NOT NULL,
  -- article key -> content hash, to tell a material change of the Help Center from a small edit
  articles jsonb NOT NULL,
  model jsonb NOT NULL,
  fitted_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (workspace_id, embedder_id)
);
