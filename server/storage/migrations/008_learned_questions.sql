-- Questions the team's answers taught the assistant (server/learning): each leads to an article.
-- Near-identical questions share a key and merge; a removed one is kept (status 'removed') so it
-- is never learned again.
CREATE TABLE learned_questions (
  id bigserial PRIMARY KEY,
  workspace_id text NOT NULL,
  article_key text NOT NULL,
  question text NOT NULL,
  question_key text NOT NULL,
  source text NOT NULL,
  conversation_id text,
  status text NOT NULL DEFAULT 'active',
  record_id text,
  uses integer NOT NULL DEFAULT 0,
  learned_at timestamptz NOT NULL DEFAULT now(),
  UNIQUE (workspace_id, article_key, question_key)
);

CREATE INDEX learned_questions_by_article ON learned_questions (workspace_id, article_key);
