// A generated event log for the report benchmark: conversations of eight events each (the
// customer asks, the assistant answers or offers a choice, feedback, a hand-over with its
// question, a teammate's reply, a close, a rating), spread evenly over the last 30 days.
import type { Database } from "../../server/storage/database.ts";

export async function generateEventLog(db: Database, workspaceId: string, events: number): Promise<void> {
  await db.query("DELETE FROM events WHERE workspace_id = $1", [workspaceId]);
  const spacingMs = (30 * 86_400_000) / events;
  for (let start = 0; start < events; start += 250_000) {
    await db.query(
      `INSERT INTO events (workspace_id, conversation_key, kind, at, data)
       SELECT $1, 'c' || (g / 8),
         (ARRAY['customer_message', 'bot_answer', 'feedback', 'bot_choice', 'escalation', 'admin_reply', 'closed', 'rating'])[1 + g % 8],
         now() - interval '30 days' + g * ($4::double precision * interval '1 millisecond'),
         CASE g % 8
           WHEN 1 THEN jsonb_build_object('confidence', 0.8, 'by', 'extractive', 'articles', jsonb_build_array(jsonb_build_object('id', 'a' || (g % 40), 'title', 'Article ' || (g % 40))))
           WHEN 2 THEN jsonb_build_object('helpful', g % 3 = 0, 'articles', jsonb_build_array('a' || ((g - 1) % 40)))
           WHEN 3 THEN jsonb_build_object('question', 'how do I ' || (ARRAY['export', 'import', 'share', 'archive', 'print'])[1 + g % 5] || ' my ' || (ARRAY['invoices', 'clients', 'reports', 'receipts'])[1 + g % 4], 'articles', '[]'::jsonb)
           WHEN 4 THEN jsonb_build_object('reason', (ARRAY['low_confidence', 'explicit_request', 'human_request'])[1 + g % 3], 'question', 'can I pay with ' || (ARRAY['bitcoin', 'cheques', 'vouchers'])[1 + g % 3])
           WHEN 5 THEN CASE WHEN g % 2 = 0 THEN jsonb_build_object('reply', 'Not yet, sorry: cards and bank transfers only.') ELSE '{}'::jsonb END
           WHEN 7 THEN jsonb_build_object('rating', 1 + g % 5)
           ELSE '{}'::jsonb
         END
       FROM generate_series($2::int, $3::int) g`,
      [workspaceId, start, Math.min(events, start + 250_000) - 1, spacingMs],
    );
  }
  await db.query("ANALYZE events");
}
