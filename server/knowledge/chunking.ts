// Cuts an article's text into passages along its own structure: each heading starts a section,
// sections are packed paragraph by paragraph up to a size bound, and a long section's next
// passage repeats the end of the previous one so an answer spanning the cut is still found.
// Every passage knows its heading path, so "Reset your password > No e-mail arrived?" stays
// attached to the steps under it.

export interface Passage {
  index: number;
  /** Headings above this passage, outermost first (the article title is not included). */
  headingPath: string[];
  text: string;
}

export interface ChunkingOptions {
  maxChars: number;
  overlapChars: number;
}

export const DEFAULT_CHUNKING: ChunkingOptions = { maxChars: 1200, overlapChars: 200 };

interface Section {
  headingPath: string[];
  paragraphs: string[];
}

function sections(text: string): Section[] {
  const out: Section[] = [{ headingPath: [], paragraphs: [] }];
  const path: Array<{ level: number; title: string }> = [];
  for (const block of text.split(/\n{2,}/)) {
    const trimmed = block.trim();
    if (!trimmed) continue;
    const heading = /^(#{1,4}) (.+)$/.exec(trimmed);
    if (heading) {
      const level = heading[1]!.length;
      while (path.length && path[path.length - 1]!.level >= level) path.pop();
      path.push({ level, title: heading[2]!.trim() });
      out.push({ headingPath: path.map((entry) => entry.title), paragraphs: [] });
    } else {
      out[out.length - 1]!.paragraphs.push(trimmed);
    }
  }
  return out.filter((section) => section.paragraphs.length > 0);
}

/** Splits a paragraph longer than the bound at sentence ends (or, failing that, anywhere). */
function pieces(paragraph: string, maxChars: number): string[] {
  if (paragraph.length <= maxChars) return [paragraph];
  const out: string[] = [];
  let current = "";
  for (const sentence of paragraph.split(/(?<=[.!?])\s+/)) {
    for (let start = 0; start < sentence.length; start += maxChars) {
      const part = sentence.slice(start, start + maxChars);
      if (current && current.length + 1 + part.length > maxChars) {
        out.push(current);
        current = part;
      } else current = current ? `${current} ${part}` : part;
    }
  }
  if (current) out.push(current);
  return out;
}

function tail(text: string, chars: number): string {
  if (text.length <= chars) return text;
  const cut = text.slice(-chars);
  const space = cut.indexOf(" ");
  return space >= 0 ? cut.slice(space + 1) : cut;
}

export function chunkText(text: string, options: ChunkingOptions = DEFAULT_CHUNKING): Passage[] {
  // A short article is one passage, headings and all: splitting it would only lose context.
  if (text.length <= options.maxChars) {
    const body = text.trim();
    return body ? [{ index: 0, headingPath: [], text: body }] : [];
  }
  const passages: Passage[] = [];
  for (const section of sections(text)) {
    let current = "";
    const flush = () => {
      if (!current) return;
      passages.push({ index: passages.length, headingPath: section.headingPath, text: current });
    };
    for (const paragraph of section.paragraphs.flatMap((p) => pieces(p, options.maxChars - options.overlapChars))) {
      if (current && current.length + 2 + paragraph.length > options.maxChars) {
        flush();
        current = `${tail(current, options.overlapChars)}\n\n${paragraph}`;
      } else current = current ? `${current}\n\n${paragraph}` : paragraph;
    }
    flush();
  }
  return passages;
}
