import type { DocumentNode } from "graphql";

export interface DocumentCache {
  get(query: string): DocumentNode | undefined;
  set(query: string, document: DocumentNode): void;
}

/**
 * Parsed and validated documents by their text, so a client that sends the same subscription
 * for every stream (with variables, or the same literals) is parsed and validated once, as
 * Apollo's document store does for HTTP. Only documents that passed validation are kept;
 * validation depends on the schema and the service's rules alone, both fixed for the server's
 * life. Past `maxEntries` the oldest entry goes (a Map keeps insertion order).
 */
export function createDocumentCache(maxEntries: number): DocumentCache {
  const documents = new Map<string, DocumentNode>();
  return {
    get: (query) => documents.get(query),
    set(query, document) {
      if (documents.size >= maxEntries) {
        const oldest = documents.keys().next();
        if (!oldest.done) documents.delete(oldest.value);
      }
      documents.set(query, document);
    },
  };
}
