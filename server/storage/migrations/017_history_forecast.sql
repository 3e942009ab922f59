-- The forecast of a reading of past conversations (server/learning/forecast.ts): per conversation,
-- the customer's first message, what the team did (linked articles, a reply without one, no reply)
-- and what the assistant would have done before and after what the reading taught. Kept for the
-- console's examples and the CSV; a new reading of the workspace replaces its rows.
CREATE TABLE history_forecast (
  workspace_id text NOT NULL,
  run_id bigint NOT NULL,
  conversation_id text NOT NULL,
  question text NOT NULL,
  team text NOT NULL CHECK (team IN ('linked', 'unlinked', 'none')),
  team_articles text[] NOT NULL DEFAULT '{}',
  team_reply text,
  before jsonb NOT NULL,
  after jsonb,
  read_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (workspace_id, run_id, conversation_id)
);
