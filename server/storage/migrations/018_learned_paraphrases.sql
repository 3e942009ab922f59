-- Rewordings of a learned question by the workspace's chat model (server/learning/paraphrases.ts):
-- rows of learned_questions with source 'model' that name the question they reword; removed with it.
ALTER TABLE learned_questions ADD COLUMN paraphrase_of bigint;
CREATE INDEX learned_questions_paraphrases ON learned_questions (workspace_id, paraphrase_of) WHERE paraphrase_of IS NOT NULL;
