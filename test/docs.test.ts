// The README sells and starts in a few minutes' reading, and every page it sends a reader to exists,
// opens with a summary, and links only to files and headings that are there.
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";

const ROOT = path.resolve(import.meta.dirname, "..");
const DOCS = ["installing", "console", "knowledge", "decisions", "operations", "evaluation", "benchmarks", "security", "architecture"];
const pages = ["README.md", ...readdirSync(path.join(ROOT, "docs")).filter((name) => name.endsWith(".md")).map((name) => `docs/${name}`)];
const read = (file: string) => readFileSync(path.join(ROOT, file), "utf8");

/** The anchor GitHub gives a heading: lower case, punctuation dropped, spaces as hyphens. */
const anchorOf = (heading: string) => heading.trim().toLowerCase().replace(/[^\p{L}\p{N}\s_-]/gu, "").replace(/\s/g, "-");
const anchorsIn = (markdown: string) => new Set([...markdown.matchAll(/^#{1,6}\s+(.+)$/gm)].map((match) => anchorOf(match[1]!)));
/** Markdown links and images outside code blocks: `[text](target)`. */
const linksIn = (markdown: string) => [...markdown.replace(/```[\s\S]*?```/g, "").matchAll(/!?\[[^\]]*\]\(([^)\s]+)\)/g)].map((match) => match[1]!);

describe("README", () => {
  const readme = read("README.md");

  it("is at most 150 lines and starts with the command that runs the app and the one that tests it", () => {
    expect(readme.trimEnd().split("\n").length).toBeLessThanOrEqual(150);
    const firstBlock = /```sh\n([\s\S]*?)```/.exec(readme)?.[1] ?? "";
    expect(firstBlock).toMatch(/^npm install && npm start\b/m);
    expect(firstBlock).toMatch(/^npm test\b/m);
  });

  it("links every docs page", () => {
    const linked = new Set(linksIn(readme));
    for (const page of DOCS) expect(linked.has(`docs/${page}.md`), page).toBe(true);
  });
});

describe.each(pages)("%s", (page) => {
  const markdown = read(page);

  it("links only to files and headings that exist", () => {
    const broken = linksIn(markdown).filter((link) => {
      if (/^[a-z]+:/i.test(link)) return false;
      const [file, anchor] = link.split("#") as [string, string | undefined];
      const target = file ? path.resolve(path.dirname(path.join(ROOT, page)), file) : path.join(ROOT, page);
      if (!existsSync(target)) return true;
      if (!anchor) return false;
      return !statSync(target).isFile() || !anchorsIn(readFileSync(target, "utf8")).has(anchor);
    });
    expect(broken).toEqual([]);
  });

  it.runIf(page.startsWith("docs/"))("opens with a title and a paragraph that sums the page up", () => {
    const [title, summary] = markdown.split(/\n\s*\n/);
    expect(title).toMatch(/^# \S/);
    expect(summary).not.toMatch(/^(#|-|\||```|!\[)/);
    expect(summary!.length).toBeGreaterThan(200);
  });
});

it("every docs page the README promises exists", () => {
  for (const page of DOCS) expect(existsSync(path.join(ROOT, "docs", `${page}.md`)), page).toBe(true);
});
