// The article sheet: opened from an answer card inside the Messenger, it shows the cited article
// with the passage the answer came from highlighted. Sheet URLs are signed with the client
// secret, so nobody can walk through other workspaces' articles by changing the query string.
import { createHmac } from "node:crypto";
import express, { type Express } from "express";
import Handlebars from "handlebars";
import { readFileSync } from "node:fs";
import { articleKeyOfPassage, type KnowledgeBase } from "../knowledge/knowledge-base.ts";
import type { Logger } from "../logger.ts";
import { sameSecret } from "../same-secret.ts";
import { markdownToHtml } from "../markdown.ts";
import { translatorForLocale, type Language } from "../i18n/catalog.ts";

const PAGE = Handlebars.compile(readFileSync(new URL("../../templates/sheet-article.html.hbs", import.meta.url), "utf8"));

const signatureOf = (secret: string, workspaceId: string, passageId: string) =>
  createHmac("sha256", secret).update(`sheet\0${workspaceId}\0${passageId}`).digest("hex").slice(0, 32);

/** `language`: the card's, which the sheet's own words are in (it names no data, so it is not signed). */
export function sheetUrl(publicUrl: string, secret: string, workspaceId: string, passageId: string, language: Language = "en"): string {
  const query = new URLSearchParams({ w: workspaceId, p: passageId, s: signatureOf(secret, workspaceId, passageId), l: language });
  return `${publicUrl}/sheets/article?${query}`;
}

/** Passages overlap a little so retrieval never loses a sentence at a cut; a reader should not see it twice. */
function withoutOverlap(passages: Array<{ id: string; headingPath: string; text: string }>) {
  return passages.map((passage, i) => {
    const previous = passages[i - 1];
    if (!previous) return passage;
    const blocks = passage.text.split("\n\n");
    for (let k = blocks.length - 1; k >= 1; k--) {
      if (previous.text.endsWith(blocks.slice(0, k).join("\n\n"))) return { ...passage, text: blocks.slice(k).join("\n\n") };
    }
    return passage;
  });
}

export function mountSheets(app: Express, options: { secret: string; knowledge: KnowledgeBase; logger: Logger }) {
  const handler: express.RequestHandler = async (req, res) => {
    const t = translatorForLocale(String(req.query.l ?? ""));
    const w = String(req.query.w ?? "");
    const p = String(req.query.p ?? "");
    const key = articleKeyOfPassage(p);
    if (!key || !sameSecret(String(req.query.s ?? ""), signatureOf(options.secret, w, p))) {
      options.logger.warn({ path: req.path }, "rejected sheet request with a bad signature");
      res.status(403).type("text/plain").send(t("sheet_invalid"));
      return;
    }
    const article = await options.knowledge.article(w, key);
    if (!article) {
      res.status(404).type("text/plain").send(t("sheet_gone"));
      return;
    }
    res.setHeader("Content-Security-Policy", "frame-ancestors 'self' https://intercom-sheets.com https://*.intercom-sheets.com https://*.intercom.io https://*.intercom.com");
    res.type("html").send(
      PAGE({
        lang: t.language,
        words: { usedHere: t("sheet_used_here"), open: t("sheet_open"), done: t("sheet_done") },
        title: article.title,
        url: article.url,
        passages: withoutOverlap(article.passages).map((passage, i, all) => ({
          html: markdownToHtml(passage.text),
          used: passage.id === p,
          heading: passage.headingPath && passage.headingPath !== all[i - 1]?.headingPath ? passage.headingPath : undefined,
        })),
      }),
    );
  };
  // Intercom opens a sheet with a POST (its data in a form field); the preview opens it with a GET.
  app.get("/sheets/article", handler);
  app.post("/sheets/article", express.urlencoded({ extended: false, limit: "256kb" }), handler);
}
