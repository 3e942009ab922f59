-- What the app has seen of its own setup, per workspace (server/setup/evidence.ts): one row per fact
-- (a signed call verified, a webhook topic received, an Intercom capability's last outcome, the last
-- sync), when it was first and last seen, how often, and the last occurrence's details. Not a log:
-- a fact seen again updates its row. workspace_id '' holds what no workspace can be named for (a
-- request whose signature failed and whose body named no connected workspace, the model's latency).
CREATE TABLE setup_evidence (
  workspace_id text NOT NULL,
  fact text NOT NULL,
  first_seen timestamptz NOT NULL,
  last_seen timestamptz NOT NULL,
  seen bigint NOT NULL,
  detail jsonb NOT NULL DEFAULT '{}'::jsonb,
  PRIMARY KEY (workspace_id, fact)
);
