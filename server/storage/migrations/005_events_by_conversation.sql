-- The Inbox app reads one conversation's events on every open: without this it scanned every event
-- of the workspace, which grows with every card (found by the fuzzer, whose cards slowed down as
-- the table filled).
CREATE INDEX events_by_conversation ON events (workspace_id, conversation_key, at);
