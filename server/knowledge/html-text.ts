import { convert, type HtmlToTextOptions } from "html-to-text";

// Headings and list items keep their shape so a passage still reads as the article did; links keep
// their target in brackets, and code blocks stay verbatim.
const OPTIONS: HtmlToTextOptions = {
  wordwrap: false,
  selectors: [
    { selector: "h1", options: { uppercase: false } },
    { selector: "h2", options: { uppercase: false } },
    { selector: "h3", options: { uppercase: false } },
    { selector: "a", options: { hideLinkHrefIfSameAsText: true, ignoreHref: false } },
    { selector: "img", format: "skip" },
    { selector: "table", format: "dataTable" },
  ],
};

export function htmlToText(html: string): string {
  return convert(html, OPTIONS).replace(/\n{3,}/g, "\n\n").trim();
}
