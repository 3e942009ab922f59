// The Chroma adapter: one collection per workspace (and per embedder, so vectors of different
// spaces never mix). Chroma holds every passage with its vector, its text and its article's
// metadata; the article versions it holds are what an incremental sync compares against.
import { createHash } from "node:crypto";
import { ChromaClient, type Collection } from "chromadb";
import { z } from "zod";
import { PassageVectors, type Nearest } from "./passage-vectors.ts";

export const ChunkMetadata = z.object({
  workspace_id: z.string(),
  source: z.enum(["intercom", "demo"]),
  article_id: z.string(),
  /** article id, plus `@locale` for a translation: one indexed document. */
  article_key: z.string(),
  locale: z.string(),
  title: z.string(),
  description: z.string(),
  url: z.string(),
  collection_id: z.string(),
  collection_name: z.string(),
  /** Collection names from the Help Center root down, joined with " > ". */
  parent_path: z.string(),
  author_id: z.string(),
  created_at: z.number(),
  updated_at: z.number(),
  content_hash: z.string(),
  chunk_index: z.number().int(),
  chunk_count: z.number().int(),
  heading_path: z.string(),
  /** A question the team's answers taught (server/learning): it leads to its article, it is not part of it. */
  learned: z.boolean().optional(),
  /** Who taught it: a teammate's reply, or customers who confirmed the article (records from before this field were teammates'). */
  learned_source: z.enum(["teammate", "customers"]).optional(),
  /**
   * For a rewording the workspace's chat model wrote of a learned question (server/learning/
   * paraphrases.ts): that question. It leads to the article as the question does, but it is the
   * question, in the words the team or customers taught, that a card or the Inbox app names.
   */
  paraphrase_of: z.string().optional(),
});
export type ChunkMetadata = z.infer<typeof ChunkMetadata>;

export interface StoredChunk {
  id: string;
  text: string;
  metadata: ChunkMetadata;
}

export interface ArticleVersion {
  contentHash: string;
  chunkCount: number;
}

export interface ChunkFilter {
  collectionIds?: string[];
  locale?: string;
  /** Articles left out: how self-calibration asks what retrieval does when the right article is missing. */
  excludeArticleKeys?: string[];
  /** Records left out: how self-calibration asks a learned question without finding the question itself. */
  excludeChunkIds?: string[];
}

/** Stable passage ids: `article:<id>:<n>`, or `article:<id>@<locale>:<n>` for a translation. */
export const chunkId = (articleKey: string, index: number) => `article:${articleKey}:${index}`;
/** A learned question's record: `learned:<article key>:<hash of the question>`. */
export const learnedChunkId = (articleKey: string, question: string) => `learned:${articleKey}:${createHash("sha256").update(question).digest("hex").slice(0, 16)}`;

const PAGE = 1000;

/**
 * Chroma's local server sometimes fails a request while it compacts a collection that was just
 * written ("Error sending backfill request to compactor"); a moment later the same request works.
 * Server-side and connection errors are retried with backoff for about four seconds (long enough
 * for the embedded server's supervisor to restart it); anything else surfaces at once.
 */
async function retrying<T>(work: () => Promise<T>, attempts = 5): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await work();
    } catch (error) {
      const serverSide = error instanceof Error && /ChromaServerError|ChromaConnectionError/.test(error.name);
      if (!serverSide || attempt >= attempts) throw error;
      await new Promise((resolve) => setTimeout(resolve, 100 * 3 ** (attempt - 1)));
    }
  }
}

export class ChromaStore {
  private readonly client: ChromaClient;
  private readonly collections = new Map<string, Promise<Collection>>();
  private readonly space: string;

  constructor(
    readonly url: string,
    embedderId: string,
    /** Prefix for collection names, so several deployments (or test runs) can share one Chroma. */
    readonly namespace = "",
  ) {
    const { hostname, port, protocol } = new URL(url);
    this.client = new ChromaClient({ host: hostname, port: Number(port || (protocol === "https:" ? 443 : 80)), ssl: protocol === "https:" });
    this.space = createHash("sha256").update(embedderId).digest("hex").slice(0, 8);
  }

  /** Chroma collection names allow [A-Za-z0-9._-] and must end with a letter or digit. */
  collectionName(workspaceId: string): string {
    return `${this.namespace ? `${this.namespace}_` : ""}hc_${workspaceId}_${this.space}`;
  }

  private collection(workspaceId: string): Promise<Collection> {
    let collection = this.collections.get(workspaceId);
    if (!collection) {
      collection = this.client.getOrCreateCollection({
        name: this.collectionName(workspaceId),
        embeddingFunction: null,
        configuration: { hnsw: { space: "cosine" } },
        metadata: { workspace_id: workspaceId },
      });
      collection.catch(() => this.collections.delete(workspaceId));
      this.collections.set(workspaceId, collection);
    }
    return collection;
  }

  async heartbeat(): Promise<void> {
    await this.client.heartbeat();
  }

  /** How many passages the workspace holds: a cheap way to notice another instance's sync. */
  async count(workspaceId: string): Promise<number> {
    const collection = await this.collection(workspaceId);
    return retrying(() => collection.count());
  }

  /** Every passage of the workspace, page by page. */
  async allChunks(workspaceId: string): Promise<StoredChunk[]> {
    return (await this.readAll(workspaceId, false)).chunks;
  }

  /** Every passage with its vector, for an index that searches them in memory (passage-vectors.ts). */
  async allChunksWithVectors(workspaceId: string): Promise<{ chunks: StoredChunk[]; vectors: PassageVectors | undefined }> {
    const { chunks, embeddings } = await this.readAll(workspaceId, true);
    return { chunks, vectors: PassageVectors.of(chunks.map((chunk, i) => ({ id: chunk.id, embedding: embeddings[i] }))) };
  }

  private async readAll(workspaceId: string, withVectors: boolean): Promise<{ chunks: StoredChunk[]; embeddings: Array<number[] | null | undefined> }> {
    const collection = await this.collection(workspaceId);
    const chunks: StoredChunk[] = [];
    const embeddings: Array<number[] | null | undefined> = [];
    for (let offset = 0; ; offset += PAGE) {
      const page = await retrying(() => collection.get({ limit: PAGE, offset, include: withVectors ? ["documents", "metadatas", "embeddings"] : ["documents", "metadatas"] }));
      page.ids.forEach((id, i) => {
        const metadata = ChunkMetadata.safeParse(page.metadatas[i]);
        if (!metadata.success) return;
        chunks.push({ id, text: page.documents[i] ?? "", metadata: metadata.data });
        if (withVectors) embeddings.push(page.embeddings[i]);
      });
      if (page.ids.length < PAGE) return { chunks, embeddings };
    }
  }

  /** What the index holds, per article key: compared by a sync to skip unchanged articles. */
  async articleVersions(workspaceId: string): Promise<Map<string, ArticleVersion>> {
    const collection = await this.collection(workspaceId);
    const versions = new Map<string, ArticleVersion>();
    for (let offset = 0; ; offset += PAGE) {
      const page = await retrying(() => collection.get({ where: { chunk_index: 0 }, limit: PAGE, offset, include: ["metadatas"] }));
      for (const raw of page.metadatas) {
        const metadata = ChunkMetadata.safeParse(raw);
        if (metadata.success) versions.set(metadata.data.article_key, { contentHash: metadata.data.content_hash, chunkCount: metadata.data.chunk_count });
      }
      if (page.ids.length < PAGE) return versions;
    }
  }

  /**
   * Writes whole articles' passages in one upsert, then drops the passages they no longer have.
   * Readers see each article's old version or its new one: an article's passages land together.
   */
  async replaceArticles(workspaceId: string, articles: Array<{ chunks: Array<StoredChunk & { embedding: number[] }>; previousChunkCount: number }>): Promise<void> {
    const collection = await this.collection(workspaceId);
    const chunks = articles.flatMap((article) => article.chunks);
    if (chunks.length === 0) return;
    await retrying(() =>
      collection.upsert({
        ids: chunks.map((chunk) => chunk.id),
        embeddings: chunks.map((chunk) => chunk.embedding),
        documents: chunks.map((chunk) => chunk.text),
        metadatas: chunks.map((chunk) => chunk.metadata),
      }),
    );
    const stale = articles.flatMap(({ chunks: own, previousChunkCount }) => {
      const key = own[0]?.metadata.article_key;
      return key && previousChunkCount > own.length ? Array.from({ length: previousChunkCount - own.length }, (_, i) => chunkId(key, own.length + i)) : [];
    });
    if (stale.length) await retrying(() => collection.delete({ ids: stale }));
  }

  /** Writes records that are not an article's passages (learned questions), each on its own. */
  async upsertRecords(workspaceId: string, records: Array<StoredChunk & { embedding: number[] }>): Promise<void> {
    if (records.length === 0) return;
    const collection = await this.collection(workspaceId);
    await retrying(() =>
      collection.upsert({ ids: records.map((r) => r.id), embeddings: records.map((r) => r.embedding), documents: records.map((r) => r.text), metadatas: records.map((r) => r.metadata) }),
    );
  }

  async removeRecords(workspaceId: string, ids: string[]): Promise<void> {
    if (ids.length === 0) return;
    const collection = await this.collection(workspaceId);
    await retrying(() => collection.delete({ ids }));
  }

  /** Removes articles with all their records, learned questions included. */
  async removeArticles(workspaceId: string, articleKeys: string[]): Promise<void> {
    if (articleKeys.length === 0) return;
    const collection = await this.collection(workspaceId);
    await retrying(() => collection.delete({ where: { article_key: { $in: articleKeys } } }));
  }

  /**
   * The ids and cosine similarity of the passages nearest to each vector, in one request (a fit's
   * thousands of searches would otherwise wait on as many round trips). Only ids and distances come
   * back: the caller's lexical index holds every passage's text and metadata, and shipping metadata
   * (or filtering on it in Chroma) costs several times the search itself at 10,000 passages.
   */
  async nearestMany(workspaceId: string, embeddings: number[][], count: number): Promise<Nearest[][]> {
    if (embeddings.length === 0) return [];
    const collection = await this.collection(workspaceId);
    const result = await retrying(() => collection.query({ queryEmbeddings: embeddings, nResults: count, include: ["distances"] }));
    // Cosine space: distance = 1 - cosine similarity.
    return embeddings.map((_, q) => (result.ids[q] ?? []).map((id, i) => ({ id, similarity: 1 - (result.distances[q]?.[i] ?? 1) })));
  }
}
