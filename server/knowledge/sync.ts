// Incremental sync of a Help Center snapshot into a workspace's Chroma collection: only new or
// changed articles are chunked and embedded; articles that are gone, unpublished or now drafts
// are removed. An unchanged Help Center costs zero embedding calls.
import { chunkText } from "./chunking.ts";
import { chunkId, type ArticleVersion, type ChromaStore, type ChunkMetadata } from "./chroma-store.ts";
import { documentsOf, type HelpCenterDocument, type SourceKind } from "./documents.ts";
import type { Embedder } from "./embedder.ts";
import type { HelpCenterSnapshot } from "./help-center.ts";
import { htmlToText } from "./html-text.ts";
import { embeddingText } from "./passage-text.ts";

/** Articles embedded and written per batch. */
const BATCH_ARTICLES = 50;

export interface SyncSummary {
  synced: number;
  unchanged: number;
  removed: number;
  skippedDrafts: number;
  errors: Array<{ articleKey: string; message: string }>;
}

export interface SyncProgress {
  done: number;
  total: number;
  articleKey: string;
}

function chunksOf(workspaceId: string, source: SourceKind, document: HelpCenterDocument) {
  const passages = chunkText(htmlToText(document.body));
  const all = passages.length ? passages : [{ index: 0, headingPath: [], text: document.description || document.title }];
  return all.map((passage) => {
    const metadata: ChunkMetadata = {
      workspace_id: workspaceId,
      source,
      article_id: document.articleId,
      article_key: document.key,
      locale: document.locale,
      title: document.title,
      description: document.description,
      url: document.url,
      collection_id: document.collectionId,
      collection_name: document.collectionName,
      parent_path: document.parentPath,
      author_id: document.authorId,
      created_at: document.createdAt,
      updated_at: document.updatedAt,
      content_hash: document.contentHash,
      chunk_index: passage.index,
      chunk_count: all.length,
      heading_path: passage.headingPath.join(" > "),
    };
    return { id: chunkId(document.key, passage.index), text: passage.text, metadata };
  });
}

export async function syncSnapshot(options: {
  workspaceId: string;
  source: SourceKind;
  snapshot: HelpCenterSnapshot;
  store: ChromaStore;
  embedder: Embedder;
  onProgress?: (progress: SyncProgress) => void;
  /** What Chroma holds, when the caller has read it already. */
  held?: Map<string, ArticleVersion>;
}): Promise<SyncSummary> {
  const { workspaceId, source, store, embedder } = options;
  const { documents, drafts } = documentsOf(options.snapshot);
  const held = options.held ?? (await store.articleVersions(workspaceId));
  const summary: SyncSummary = { synced: 0, unchanged: 0, removed: 0, skippedDrafts: drafts, errors: [] };

  // Changed articles are chunked, embedded and written in batches: one embedding call and one
  // upsert per batch instead of per article, each article's passages still landing together.
  let done = 0;
  const changed = documents.filter((document) => held.get(document.key)?.contentHash !== document.contentHash);
  summary.unchanged = documents.length - changed.length;
  for (let start = 0; start < changed.length; start += BATCH_ARTICLES) {
    const batch = changed.slice(start, start + BATCH_ARTICLES).map((document) => ({ document, chunks: chunksOf(workspaceId, source, document) }));
    try {
      const texts = batch.flatMap(({ chunks }) => chunks.map((chunk) => embeddingText(chunk.metadata, chunk.text)));
      const vectors = await embedder.embedDocuments(texts);
      let next = 0;
      await store.replaceArticles(
        workspaceId,
        batch.map(({ document, chunks }) => ({
          chunks: chunks.map((chunk) => ({ ...chunk, embedding: vectors[next++]! })),
          previousChunkCount: held.get(document.key)?.chunkCount ?? 0,
        })),
      );
      summary.synced += batch.length;
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      for (const { document } of batch) summary.errors.push({ articleKey: document.key, message });
    }
    for (const { document } of batch) options.onProgress?.({ done: summary.unchanged + ++done, total: documents.length, articleKey: document.key });
  }

  const current = new Set(documents.map((document) => document.key));
  const gone = [...held.keys()].filter((key) => !current.has(key));
  await store.removeArticles(workspaceId, gone);
  summary.removed = gone.length;
  return summary;
}
