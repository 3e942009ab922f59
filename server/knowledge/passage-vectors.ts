// The vectors of a Help Center small enough to hold in memory, searched here instead of asking
// Chroma. Asking Chroma over HTTP for every card was most of a card's cost on the demo (the
// request, its JSON and the promise chain around it: half the app's CPU, and the Chroma server's
// on the other core; npm run bench); an exact search over a few thousand vectors takes well under
// a millisecond. Chroma still holds every vector and answers for larger Help Centers.

/** Most passages whose vectors an index holds: 2,000 at 2,048 dimensions is 16 MiB. */
export const MAX_HELD_PASSAGES = 2000;

export interface Nearest {
  id: string;
  similarity: number;
}

export class PassageVectors {
  /** Each passage's row, made on first use (a reload reads its unchanged passages' vectors). */
  private rowOf: Map<string, number> | undefined;

  private constructor(
    private readonly ids: string[],
    /** One row per passage, each of unit length, so a dot product is the cosine Chroma ranks by. */
    private readonly rows: Float32Array,
    readonly dimensions: number,
  ) {}

  /** The vectors as Chroma returned them; undefined when one is missing or their sizes differ. */
  static of(entries: Array<{ id: string; embedding: ArrayLike<number> | null | undefined }>): PassageVectors | undefined {
    const dimensions = entries[0]?.embedding?.length ?? 0;
    if (!dimensions || entries.some((entry) => entry.embedding?.length !== dimensions)) return undefined;
    const rows = new Float32Array(entries.length * dimensions);
    entries.forEach((entry, row) => {
      const embedding = entry.embedding!;
      const scale = 1 / (norm(embedding) || 1);
      for (let i = 0; i < dimensions; i++) rows[row * dimensions + i] = embedding[i]! * scale;
    });
    return new PassageVectors(
      entries.map((entry) => entry.id),
      rows,
      dimensions,
    );
  }

  /** A passage's vector (of unit length), if it is held. */
  vectorOf(id: string): Float32Array | undefined {
    this.rowOf ??= new Map(this.ids.map((passage, row) => [passage, row]));
    const row = this.rowOf.get(id);
    return row === undefined ? undefined : this.rows.subarray(row * this.dimensions, (row + 1) * this.dimensions);
  }

  /** The `count` passages nearest the query by cosine similarity, nearest first (as Chroma's cosine space ranks them). */
  nearest(query: ArrayLike<number>, count: number): Nearest[] {
    if (query.length !== this.dimensions) throw new Error(`a ${query.length}-dimension query for ${this.dimensions}-dimension vectors`);
    const scale = 1 / (norm(query) || 1);
    // A character n-gram query has few non-zero dimensions: only those are multiplied.
    const used: number[] = [];
    for (let i = 0; i < query.length; i++) if (query[i] !== 0) used.push(i);
    const weights = Float64Array.from(used, (i) => query[i]! * scale);
    const similarities = new Float64Array(this.ids.length);
    const { rows, dimensions } = this;
    for (let row = 0, base = 0; row < similarities.length; row++, base += dimensions) {
      let sum = 0;
      for (let k = 0; k < used.length; k++) sum += weights[k]! * rows[base + used[k]!]!;
      similarities[row] = sum;
    }
    const order = Array.from(similarities.keys());
    order.sort((a, b) => similarities[b]! - similarities[a]! || a - b);
    return order.slice(0, count).map((row) => ({ id: this.ids[row]!, similarity: similarities[row]! }));
  }
}

function norm(vector: ArrayLike<number>): number {
  let sum = 0;
  for (let i = 0; i < vector.length; i++) sum += vector[i]! * vector[i]!;
  return Math.sqrt(sum);
}
