-- A customer's pick of an article from a choice, for the question they typed. It stays pending
-- for the confirmation window: asking for more help, for a person, being handed over or asking the
-- same thing again withdraws it; otherwise it is confirmed, and once two contacts confirm the same
-- article for near-identical questions, the question is learned (source 'customers').
CREATE TABLE customer_picks (
  id bigserial PRIMARY KEY,
  workspace_id text NOT NULL,
  article_key text NOT NULL,
  question_key text NOT NULL,
  question text NOT NULL,
  contact_key text NOT NULL,
  conversation_key text NOT NULL,
  status text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'confirmed', 'withdrawn')),
  picked_at timestamptz NOT NULL DEFAULT now()
);

CREATE INDEX customer_picks_pending ON customer_picks (workspace_id, conversation_key) WHERE status = 'pending';
CREATE INDEX customer_picks_by_question ON customer_picks (workspace_id, article_key, question_key);

-- One row per question learned from customers for an article on a day (UTC), numbered from 1:
-- taking a free number is how the policy's daily cap holds when several instances learn at once.
CREATE TABLE customer_learning_slots (
  workspace_id text NOT NULL,
  article_key text NOT NULL,
  day date NOT NULL,
  slot integer NOT NULL,
  question_key text NOT NULL,
  PRIMARY KEY (workspace_id, article_key, day, slot)
);
