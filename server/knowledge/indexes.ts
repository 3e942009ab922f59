// The lexical indexes this instance searches, one per workspace, each read whole from Chroma.
// Loading is the start-up's, the sync's and the learner's job; a search takes the index in hand and
// never waits on Chroma. A new index replaces the one in use only once it is complete, so cards
// keep answering from the previous one meanwhile.
import { withDeadline } from "../deadline.ts";
import type { Logger } from "../logger.ts";
import type { ChromaStore, StoredChunk } from "./chroma-store.ts";
import type { Embedder } from "./embedder.ts";
import { DEFAULT_LEXICAL, LexicalIndex } from "./lexical-index.ts";
import { embeddingText } from "./passage-text.ts";
import { MAX_HELD_PASSAGES, PassageVectors } from "./passage-vectors.ts";

/** How often, at most, a workspace's index is compared with what Chroma holds. */
const RECHECK_MS = 5000;
/** Longest that comparison waits for Chroma: a slow Chroma is checked again later. */
const CHECK_BUDGET_MS = 1000;

export class LexicalIndexes {
  private readonly held = new Map<string, LexicalIndex>();
  private readonly loads = new Map<string, { done: Promise<LexicalIndex>; again: boolean }>();
  private readonly checkedAt = new Map<string, number>();

  constructor(
    private readonly deps: {
      store: ChromaStore;
      embedder: Embedder;
      logger: Logger;
      /** Up to how many passages an index holds their vectors (MAX_HELD_PASSAGES unless told). */
      maxHeldPassages?: number;
    },
  ) {}

  /** The index in use for the workspace, or undefined when this instance has not loaded one. */
  current(workspaceId: string): LexicalIndex | undefined {
    return this.held.get(workspaceId);
  }

  /** Whether this instance has an index for any workspace. */
  get any(): boolean {
    return this.held.size > 0;
  }

  /**
   * Reads the workspace's passages from Chroma into a new index and puts it in use. A load asked
   * for while one runs is made once more after it, so what changed meanwhile is read too.
   */
  load(workspaceId: string): Promise<LexicalIndex> {
    const running = this.loads.get(workspaceId);
    if (running) {
      running.again = true;
      return running.done;
    }
    const entry = { again: false } as { again: boolean; done: Promise<LexicalIndex> };
    entry.done = this.read(workspaceId, entry).finally(() => this.loads.delete(workspaceId));
    this.loads.set(workspaceId, entry);
    return entry.done;
  }

  private async read(workspaceId: string, entry: { again: boolean }): Promise<LexicalIndex> {
    let index: LexicalIndex;
    do {
      entry.again = false;
      index = await readIndex(this.deps.store, this.deps.embedder, workspaceId, this.deps.maxHeldPassages, this.held.get(workspaceId));
      this.put(workspaceId, index);
    } while (entry.again);
    return index;
  }

  private put(workspaceId: string, index: LexicalIndex): void {
    this.held.set(workspaceId, index);
    this.checkedAt.set(workspaceId, Date.now());
  }

  /**
   * At most every few seconds, in the background: reloads the index when Chroma's count of
   * passages differs from it (another instance synced, or learned a question). Never awaited by
   * a search.
   */
  recheck(workspaceId: string): void {
    const index = this.held.get(workspaceId);
    if (!index || this.loads.has(workspaceId) || Date.now() - (this.checkedAt.get(workspaceId) ?? 0) < RECHECK_MS) return;
    this.checkedAt.set(workspaceId, Date.now());
    void withDeadline(this.deps.store.count(workspaceId), CHECK_BUDGET_MS, "counting passages")
      .then((count) => (count !== index.size && this.held.get(workspaceId) === index ? this.load(workspaceId) : undefined))
      .catch((error) => this.deps.logger.warn({ err: error, workspaceId }, "could not compare the index with Chroma; keeping the one in use"));
  }
}

/**
 * A workspace's passages from Chroma, as an index; with their vectors when there are at most
 * `maxHeldPassages` of them, so its searches need not ask Chroma. `previous`, the index in use,
 * lends the vectors of the passages whose text has not changed since.
 */
export async function readIndex(store: ChromaStore, embedder: Embedder, workspaceId: string, maxHeldPassages = MAX_HELD_PASSAGES, previous?: LexicalIndex): Promise<LexicalIndex> {
  if ((await store.count(workspaceId)) > maxHeldPassages) return new LexicalIndex(await store.allChunks(workspaceId), embedder);
  if (!embedder.local) {
    const { chunks, vectors } = await store.allChunksWithVectors(workspaceId);
    return new LexicalIndex(chunks, embedder, DEFAULT_LEXICAL, vectors);
  }
  // Made again as the sync made them: the same vectors, without Chroma writing them out as text.
  // Only what changed since the index in use: each learned question reloads the index, and a
  // Help Center of a thousand articles took the app's thread 0.4 s to embed whole.
  const chunks = await store.allChunks(workspaceId);
  const textOf = (chunk: StoredChunk) => embeddingText(chunk.metadata, chunk.text);
  const kept = chunks.map((chunk) => {
    const before = previous?.chunk(chunk.id);
    return before && textOf(before) === textOf(chunk) ? previous?.vectors?.vectorOf(chunk.id) : undefined;
  });
  const made = await embedder.embedDocuments(chunks.filter((_, i) => !kept[i]).map(textOf));
  let next = 0;
  return new LexicalIndex(chunks, embedder, DEFAULT_LEXICAL, PassageVectors.of(chunks.map((chunk, i) => ({ id: chunk.id, embedding: kept[i] ?? made[next++] }))));
}
