-- Customers' own signals that a question leads to an article ("That helped" after an answer from
-- it). One conversation's signal is a hint; once two conversations agree, the question is learned.
CREATE TABLE customer_signals (
  workspace_id text NOT NULL,
  article_key text NOT NULL,
  question_key text NOT NULL,
  question text NOT NULL,
  conversation_key text NOT NULL,
  at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (workspace_id, article_key, question_key, conversation_key)
);
