// The lexical half of retrieval: BM25 over a workspace's passages with MiniSearch (stemming and
// stop words from text-analysis, typo tolerance, titles and headings boosted). It is built from
// what Chroma holds, so every app instance that reads the same Chroma ranks the same way.
import MiniSearch from "minisearch";
import type { ChunkFilter, StoredChunk } from "./chroma-store.ts";
import type { CorpusStats, Embedder } from "./embedder.ts";
import { searchableText } from "./html-text.ts";
import { terms, words } from "./text-analysis.ts";
import { embeddingText } from "./passage-text.ts";

export interface LexicalOptions {
  /** Stemmed content words (default) or plain lower-case words (the baseline). */
  analyzer: "stemmed" | "plain";
  /** MiniSearch's edit-distance tolerance, as a fraction of term length; 0 turns typo tolerance off. */
  fuzzy: number;
  prefix: boolean;
}

export const DEFAULT_LEXICAL: LexicalOptions = { analyzer: "stemmed", fuzzy: 0.2, prefix: true };

export interface LexicalHit {
  chunk: StoredChunk;
  score: number;
  /** Share of the query's terms that appear in the passage, its title or headings. */
  coverage: number;
}

interface Doc {
  id: string;
  title: string;
  description: string;
  headings: string;
  text: string;
}

export class LexicalIndex {
  private readonly search_: MiniSearch<Doc>;
  private readonly chunks = new Map<string, StoredChunk>();
  private readonly termSets = new Map<string, Set<string>>();
  private readonly featureFrequency = new Map<number, number>();
  private readonly analyze: (text: string) => string[];

  constructor(
    chunks: StoredChunk[],
    embedder: Embedder,
    private readonly options: LexicalOptions = DEFAULT_LEXICAL,
  ) {
    this.analyze = options.analyzer === "stemmed" ? terms : words;
    this.search_ = new MiniSearch<Doc>({
      fields: ["title", "description", "headings", "text"],
      tokenize: this.analyze,
      processTerm: (term) => term,
      searchOptions: { boost: { title: 2, headings: 1.5 }, fuzzy: options.fuzzy, prefix: options.prefix },
    });
    const docs: Doc[] = [];
    for (const chunk of chunks) {
      this.chunks.set(chunk.id, chunk);
      const text = searchableText(chunk.text);
      const { title, description, heading_path: headings } = chunk.metadata;
      docs.push({ id: chunk.id, title, description, headings, text });
      this.termSets.set(chunk.id, new Set(this.analyze(`${title} ${description} ${headings} ${text}`)));
      const features = embedder.features?.(embeddingText(chunk.metadata, chunk.text));
      for (const feature of new Set(features ?? [])) this.featureFrequency.set(feature, (this.featureFrequency.get(feature) ?? 0) + 1);
    }
    this.search_.addAll(docs);
  }

  get size(): number {
    return this.chunks.size;
  }

  /** Feature document frequencies, for embedders that weight queries by them. */
  get stats(): CorpusStats {
    return { documents: this.chunks.size, frequency: (feature) => this.featureFrequency.get(feature) ?? 0 };
  }

  chunk(id: string): StoredChunk | undefined {
    return this.chunks.get(id);
  }

  /** An article's passages in reading order. */
  articleChunks(articleKey: string): StoredChunk[] {
    return [...this.chunks.values()].filter((chunk) => chunk.metadata.article_key === articleKey).sort((a, b) => a.metadata.chunk_index - b.metadata.chunk_index);
  }

  locales(): Set<string> {
    return new Set([...this.chunks.values()].map((chunk) => chunk.metadata.locale));
  }

  collections(): Array<{ id: string; name: string }> {
    const seen = new Map<string, string>();
    for (const chunk of this.chunks.values()) {
      if (chunk.metadata.collection_id && !seen.has(chunk.metadata.collection_id)) seen.set(chunk.metadata.collection_id, chunk.metadata.collection_name);
    }
    return [...seen].map(([id, name]) => ({ id, name })).sort((a, b) => a.name.localeCompare(b.name));
  }

  search(query: string, filter: ChunkFilter = {}, limit = 50): LexicalHit[] {
    const queryTerms = [...new Set(this.analyze(query))];
    if (queryTerms.length === 0) return [];
    const collections = filter.collectionIds?.length ? new Set(filter.collectionIds) : undefined;
    const results = this.search_.search(queryTerms.join(" "), {
      filter: (hit) => {
        const chunk = this.chunks.get(String(hit.id));
        return Boolean(chunk && (!collections || collections.has(chunk.metadata.collection_id)) && (!filter.locale || chunk.metadata.locale === filter.locale));
      },
    });
    return results.slice(0, limit).map((hit) => {
      const id = String(hit.id);
      const present = this.termSets.get(id)!;
      return { chunk: this.chunks.get(id)!, score: hit.score, coverage: queryTerms.filter((term) => present.has(term)).length / queryTerms.length };
    });
  }
}
