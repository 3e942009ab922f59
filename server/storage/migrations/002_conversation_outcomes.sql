-- What Intercom tells us about a conversation's end, for the metrics to come.
ALTER TABLE conversations ADD COLUMN closed_at timestamptz;
ALTER TABLE conversations ADD COLUMN rating integer;
ALTER TABLE conversations ADD COLUMN rating_remark text;
