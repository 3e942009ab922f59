-- Access tokens of workspaces that installed the public app through OAuth, encrypted at rest.
CREATE TABLE workspace_tokens (
  workspace_id text PRIMARY KEY,
  sealed_token text NOT NULL,
  installed_at timestamptz NOT NULL DEFAULT now()
);
