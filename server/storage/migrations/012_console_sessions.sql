-- Sessions of the admin console (server/console): which admin of which workspace signed in, how,
-- until when. Only a hash of the session id is stored; ending a session (sign out, uninstall) is
-- seen by every instance.
CREATE TABLE console_sessions (
  id_hash text PRIMARY KEY,
  workspace_id text NOT NULL,
  admin_id text NOT NULL,
  admin_name text NOT NULL,
  via text NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  expires_at timestamptz NOT NULL,
  ended_at timestamptz
);

CREATE INDEX console_sessions_by_workspace ON console_sessions (workspace_id);
