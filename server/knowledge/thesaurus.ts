// Customers and Help Centers rarely use the same words: "how much is it" for "plans and pricing",
// "can't log in" for "reset your password", "phone" for "mobile app". A thesaurus of everyday
// support vocabulary (thesaurus.txt) widens a query with the other phrasings of what it says.
// Admins add their own groups in the policy file (`synonyms`). Expansions are searched on both
// sides of retrieval: as extra, lighter terms in the lexical index and as extra words in the text
// that is embedded.
import { readFileSync } from "node:fs";
import { terms, words } from "./text-analysis.ts";

/** Each group lists phrasings of one idea (thesaurus.txt); a query holding one of them also searches the others. */
export const SUPPORT_THESAURUS: readonly string[][] = readFileSync(new URL("./thesaurus.txt", import.meta.url), "utf8")
  .split("\n")
  .filter((line) => line.trim() && !line.startsWith("#"))
  .map((line) => line.split(",").map((phrase) => phrase.trim()).filter(Boolean));

export interface QueryExpansion {
  /** Analyzed (stemmed) terms the query does not hold, each linked to the query term it stands in for. */
  lexical: Array<{ term: string; standsFor: string | undefined }>;
  /** The query, followed by the phrasings it was widened with: the text to embed. */
  denseText: string;
}

interface Phrase {
  words: string[];
  terms: string[];
}

const phraseOf = (text: string): Phrase => ({ words: words(text), terms: terms(text) });

function occursIn(haystack: string[], needle: string[]): number {
  if (needle.length === 0) return -1;
  outer: for (let start = 0; start + needle.length <= haystack.length; start++) {
    for (let i = 0; i < needle.length; i++) if (haystack[start + i] !== needle[i]) continue outer;
    return start;
  }
  return -1;
}

export class Thesaurus {
  private readonly groups: Phrase[][];

  constructor(groups: readonly (readonly string[])[]) {
    this.groups = groups.map((group) => group.map(phraseOf).filter((phrase) => phrase.words.length > 0)).filter((group) => group.length > 1);
  }

  /** The built-in thesaurus, with an admin's own groups added. */
  static withExtras(extra: readonly (readonly string[])[] = []): Thesaurus {
    return new Thesaurus([...SUPPORT_THESAURUS, ...extra]);
  }

  expand(query: string): QueryExpansion {
    const queryWords = words(query);
    const queryTerms = new Set(terms(query));
    const lexical = new Map<string, string | undefined>();
    const added: string[] = [];
    for (const group of this.groups) {
      const matched = group.filter((phrase) => occursIn(queryWords, phrase.words) >= 0);
      if (matched.length === 0) continue;
      const standsFor = matched.flatMap((phrase) => phrase.terms)[0];
      for (const phrase of group) {
        if (matched.includes(phrase)) continue;
        const fresh = phrase.terms.filter((term) => !queryTerms.has(term) && !lexical.has(term));
        if (fresh.length === 0) continue;
        for (const term of fresh) lexical.set(term, standsFor);
        added.push(phrase.words.join(" "));
      }
    }
    return {
      lexical: [...lexical].map(([term, standsFor]) => ({ term, standsFor })),
      denseText: added.length ? `${query}\n${added.join(", ")}` : query,
    };
  }
}

export const BUILT_IN_THESAURUS = Thesaurus.withExtras();
