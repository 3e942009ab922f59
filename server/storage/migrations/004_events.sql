-- Everything the metrics are computed from, as events: any period can be recomputed.
CREATE TABLE events (
  id bigserial PRIMARY KEY,
  workspace_id text NOT NULL,
  conversation_key text NOT NULL,
  kind text NOT NULL,
  at timestamptz NOT NULL DEFAULT now(),
  data jsonb NOT NULL DEFAULT '{}'::jsonb,
  dedupe_key text,
  UNIQUE (workspace_id, dedupe_key)
);

CREATE INDEX events_by_time ON events (workspace_id, at);
