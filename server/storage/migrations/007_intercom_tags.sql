-- The Intercom tags the app attaches to handed-over conversations (one per hand-off reason), created
-- once per workspace and remembered by every instance.
CREATE TABLE intercom_tags (
  workspace_id text NOT NULL,
  name text NOT NULL,
  tag_id text NOT NULL,
  PRIMARY KEY (workspace_id, name)
);
