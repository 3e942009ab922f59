// Markdown the app writes (answers, notes, draft articles) as HTML for Intercom and the sheet. Any
// HTML inside it is escaped first: text from customers, teammates or a model never becomes markup.
import { marked } from "marked";

export const markdownToHtml = (markdown: string): string => marked.parse(markdown.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;"), { async: false }).trim();
