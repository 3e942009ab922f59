-- Each workspace's own settings: overrides of the policy file's values (server/settings), and the
-- audit log of every change (who, when, which setting, old and new value).
CREATE TABLE workspace_settings (
  workspace_id text PRIMARY KEY,
  overrides jsonb NOT NULL DEFAULT '{}',
  version integer NOT NULL DEFAULT 0,
  updated_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE settings_audit (
  id bigserial PRIMARY KEY,
  workspace_id text NOT NULL,
  changed_by text NOT NULL,
  changed_at timestamptz NOT NULL DEFAULT now(),
  setting text NOT NULL,
  old_value jsonb,
  new_value jsonb
);

CREATE INDEX settings_audit_by_workspace ON settings_audit (workspace_id, changed_at DESC, id DESC);
