import type { Health } from "../shared/redis-connection.ts";
import type { StoredApiKey } from "./key-types.ts";

/** Fields a patch may set; `null` deletes an optional one. Id, tenant and createdAt never change. */
export type KeyPatch = {
  [Field in Exclude<keyof StoredApiKey, "id" | "tenant" | "createdAt">]?: StoredApiKey[Field] | null;
};

export interface KeyListQuery {
  tenant?: string;
  limit: number;
  /** The sort key of the last record already returned. */
  after?: string;
}

export interface KeyListPage {
  records: StoredApiKey[];
  /** Sort key of the last record returned, when more may follow. */
  last?: string;
}

/** Where key records live: memory, a JSON file, or Redis. Each operation is atomic. */
export interface KeyBackend {
  readonly kind: Health["kind"];
  /** False (and nothing written) when the id already exists. */
  insert(record: StoredApiKey): Promise<boolean>;
  read(id: string): Promise<StoredApiKey | undefined>;
  /** The record after the change, or undefined when there is no such key. */
  patch(id: string, patch: KeyPatch): Promise<StoredApiKey | undefined>;
  /** Ordered by creation time, then id. */
  list(query: KeyListQuery): Promise<KeyListPage>;
  health(): Health;
  close(): Promise<void>;
}
