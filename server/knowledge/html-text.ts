// Help Center HTML to text that still reads like the article: headings become markdown headings
// (so chunking can follow them), links become markdown links (Canvas Kit text renders them), list
// items keep their bullets and code blocks keep their lines.
import { convert, type FormatCallback, type HtmlToTextOptions } from "html-to-text";

const markdownHeading =
  (level: number): FormatCallback =>
  (elem, walk, builder) => {
    builder.openBlock({ leadingLineBreaks: 2 });
    builder.addInline(`${"#".repeat(level)} `);
    walk(elem.children, builder);
    builder.closeBlock({ trailingLineBreaks: 2 });
  };

const markdownLink: FormatCallback = (elem, walk, builder) => {
  const href = typeof elem.attribs?.href === "string" ? elem.attribs.href : "";
  if (!/^https?:\/\//.test(href)) return walk(elem.children, builder);
  builder.addInline("[", { noWordTransform: true });
  walk(elem.children, builder);
  builder.addInline(`](${href})`, { noWordTransform: true });
};

const OPTIONS: HtmlToTextOptions = {
  wordwrap: false,
  formatters: {
    h1: markdownHeading(1),
    h2: markdownHeading(2),
    h3: markdownHeading(3),
    h4: markdownHeading(4),
    link: markdownLink,
  },
  selectors: [
    { selector: "h1", format: "h1" },
    { selector: "h2", format: "h2" },
    { selector: "h3", format: "h3" },
    { selector: "h4", format: "h4" },
    { selector: "a", format: "link" },
    { selector: "img", format: "skip" },
    { selector: "ul", options: { itemPrefix: " - " } },
    { selector: "table", format: "dataTable" },
  ],
};

export function htmlToText(html: string): string {
  return convert(html, OPTIONS).replace(/[ \t]+\n/g, "\n").replace(/\n{3,}/g, "\n\n").trim();
}

/** Text for matching: link targets and bare URLs say nothing about what a passage is about. */
export function searchableText(text: string): string {
  return text.replace(/\]\([^)]*\)/g, "]").replace(/https?:\/\/\S+/g, " ");
}
