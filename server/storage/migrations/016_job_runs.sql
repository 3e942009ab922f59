-- Long jobs (reading a workspace's past conversations) run in slices, can be cancelled by an admin,
-- and run once at a time per workspace across every instance: a second start while one is pending
-- or running is refused by the database itself.
ALTER TABLE jobs DROP CONSTRAINT jobs_status_check;
ALTER TABLE jobs ADD CONSTRAINT jobs_status_check CHECK (status IN ('pending', 'running', 'done', 'parked', 'cancelled'));
CREATE UNIQUE INDEX jobs_one_history_run ON jobs (workspace_id) WHERE kind = 'history_backfill' AND status IN ('pending', 'running');
