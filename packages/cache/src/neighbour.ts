/** A search result: an entry's id and its cosine similarity to the query. */
export interface Neighbour {
  id: string;
  similarity: number;
}
