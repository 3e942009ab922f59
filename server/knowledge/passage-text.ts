import type { ChunkMetadata } from "./chroma-store.ts";
import { searchableText } from "./html-text.ts";

/** The text a passage is embedded from: its article's title (twice: titles say most), summary, headings, body. */
export const embeddingText = (metadata: Pick<ChunkMetadata, "title" | "description" | "heading_path">, text: string) =>
  `${metadata.title}\n${metadata.title}\n${metadata.description}\n${metadata.heading_path}\n${searchableText(text)}`;
