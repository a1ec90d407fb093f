import { readdirSync, readFileSync, statSync } from "node:fs";
import { extname, join, relative } from "node:path";
import type { Passage } from "./bm25-index.ts";

const LONGEST_PASSAGE = 1200;
const SHORTEST_PASSAGE = 200;

/**
 * Reads every .txt and .md file under a folder (sorted, so ids are stable) and cuts each into
 * passages: a heading starts a new passage, paragraphs are joined until about 200 characters
 * and a paragraph longer than 1,200 is cut at sentence ends. Ids are `file#n`.
 */
export function loadKnowledgeBase(directory: string): Passage[] {
  return listFiles(directory).flatMap((path) => chunkKnowledge(readFileSync(path, "utf8"), relative(directory, path)));
}

/** Passages of one text; `source` prefixes their ids. */
export function chunkKnowledge(text: string, source = "knowledge"): Passage[] {
  const chunks: string[] = [];
  let current = "";
  const flush = () => {
    if (current.trim() !== "") chunks.push(current.trim());
    current = "";
  };
  for (const block of text.split(/\n\s*\n/)) {
    const heading = /^#{1,6}\s/.test(block.trimStart());
    if (heading || current.length >= SHORTEST_PASSAGE) flush();
    for (const piece of cutLong(block.trim())) {
      if (current !== "" && current.length + 2 + piece.length > LONGEST_PASSAGE) flush();
      current = current === "" ? piece : `${current}\n\n${piece}`;
    }
  }
  flush();
  return chunks.map((chunk, index) => ({ id: `${source}#${index}`, text: chunk }));
}

function cutLong(block: string): string[] {
  if (block.length <= LONGEST_PASSAGE) return [block];
  const pieces: string[] = [];
  let current = "";
  for (const sentence of block.split(/(?<=[.!?])\s+/)) {
    if (current !== "" && current.length + sentence.length > LONGEST_PASSAGE) {
      pieces.push(current);
      current = "";
    }
    current = current === "" ? sentence : `${current} ${sentence}`;
    while (current.length > LONGEST_PASSAGE) {
      pieces.push(current.slice(0, LONGEST_PASSAGE));
      current = current.slice(LONGEST_PASSAGE);
    }
  }
  if (current !== "") pieces.push(current);
  return pieces;
}

function listFiles(directory: string): string[] {
  return readdirSync(directory)
    .sort()
    .flatMap((name) => {
      const path = join(directory, name);
      if (statSync(path).isDirectory()) return listFiles(path);
      return [".txt", ".md"].includes(extname(name).toLowerCase()) ? [path] : [];
    });
}
