-- Draft articles the app created in Intercom from a content gap (server/learning/article-drafts.ts),
-- one per topic: the report shows them, and a topic already drafted is not drafted again.
CREATE TABLE article_drafts (
  id bigserial PRIMARY KEY,
  workspace_id text NOT NULL,
  topic text NOT NULL,
  title text NOT NULL,
  intercom_article_id text NOT NULL,
  written_by text NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  UNIQUE (workspace_id, topic)
);
