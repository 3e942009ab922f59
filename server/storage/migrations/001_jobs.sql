-- The durable work queue: webhook notifications and hand-offs are written here before anything
-- acts on them, and claimed with FOR UPDATE SKIP LOCKED so several app instances share the work.
CREATE TABLE jobs (
  id bigserial PRIMARY KEY,
  workspace_id text NOT NULL,
  kind text NOT NULL,
  dedupe_key text NOT NULL,
  payload jsonb NOT NULL,
  progress jsonb NOT NULL DEFAULT '{}'::jsonb,
  status text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'running', 'done', 'parked')),
  attempts integer NOT NULL DEFAULT 0,
  run_at timestamptz NOT NULL DEFAULT now(),
  locked_until timestamptz,
  last_error text,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  UNIQUE (workspace_id, kind, dedupe_key)
);

CREATE INDEX jobs_claimable ON jobs (run_at) WHERE status IN ('pending', 'running');

-- Per conversation: once a person has taken over, the assistant stays quiet.
CREATE TABLE conversations (
  workspace_id text NOT NULL,
  conversation_id text NOT NULL,
  escalated_at timestamptz,
  escalation_reason text,
  human_took_over_at timestamptz,
  PRIMARY KEY (workspace_id, conversation_id)
);
