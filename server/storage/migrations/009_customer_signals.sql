-- Customers' own signals about a question and an article: "That helped" after an answer from it
-- (helped), or "Get more help" / "Talk to a human" right after one (not helped). One
-- conversation's "helped" is a hint, and once two conversations agree the question is learned; a
-- "not helped" lowers the article for near-identical questions.
CREATE TABLE customer_signals (
  workspace_id text NOT NULL,
  article_key text NOT NULL,
  question_key text NOT NULL,
  question text NOT NULL,
  conversation_key text NOT NULL,
  helped boolean NOT NULL,
  at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (workspace_id, article_key, question_key, conversation_key, helped)
);
