import { randomUUID } from "node:crypto";
import { mkdir, open, readFile, rename, stat, unlink } from "node:fs/promises";
import { dirname, join } from "node:path";
import { KeelError } from "@keel/spec";
import { withFileLock } from "./file-lock.ts";
import type { KeyBackend } from "./key-backend.ts";
import { applyPatch, pageOf, sortKey } from "./key-records.ts";
import type { StoredApiKey } from "./key-types.ts";

export interface FileKeyBackendOptions {
  /** Directory of the key file; created (mode 0700) on the first write. */
  dataDir: string;
  /** Default "api-keys.json". */
  fileName?: string;
  /** How long a write waits for another writer's lock. Default 5,000 ms. */
  lockTimeoutMs?: number;
}

interface KeyFile {
  version: 1;
  keys: StoredApiKey[];
}

/**
 * Keys in one JSON file (mode 0600), so the embedded default keeps its keys across a
 * restart. Every write re-reads the file under a lock, applies one change and replaces
 * the file atomically (temp file, fsync, rename): a crash leaves the old or the new file,
 * never half of one, and a CLI writing next to a running service loses nothing. Reads
 * re-parse only when the file changed (size, mtime, inode).
 */
export function createFileKeyBackend(options: FileKeyBackendOptions): KeyBackend {
  const path = join(options.dataDir, options.fileName ?? "api-keys.json");
  const lock = { timeoutMs: options.lockTimeoutMs ?? 5_000, staleMs: 10_000 };
  let cached: { signature: string; records: Map<string, StoredApiKey> } | undefined;

  const load = async (): Promise<Map<string, StoredApiKey>> => {
    const signature = await signatureOf(path);
    if (cached && cached.signature === signature) return cached.records;
    const records = signature === "absent" ? new Map() : parseKeyFile(await readFile(path, "utf8"));
    cached = { signature, records };
    return records;
  };

  const mutate = async <T>(change: (records: Map<string, StoredApiKey>) => { result: T; changed: boolean }) => {
    await mkdir(options.dataDir, { recursive: true, mode: 0o700 });
    return withFileLock(path, lock, async () => {
      cached = undefined; // another process may have written since our last read
      const records = new Map(await load());
      const { result, changed } = change(records);
      if (changed) {
        await writeAtomically(path, records);
        cached = { signature: await signatureOf(path), records };
      }
      return result;
    });
  };

  return {
    kind: "file",
    insert: (record) =>
      mutate((records) => {
        if (records.has(record.id)) return { result: false, changed: false };
        records.set(record.id, structuredClone(record));
        return { result: true, changed: true };
      }),
    async read(id) {
      const record = (await load()).get(id);
      return record && structuredClone(record);
    },
    patch: (id, patch) =>
      mutate((records) => {
        const record = records.get(id);
        if (!record) return { result: undefined, changed: false };
        const next = applyPatch(record, patch);
        records.set(id, next);
        return { result: structuredClone(next), changed: true };
      }),
    async list(query) {
      return pageOf((await load()).values(), query);
    },
    health: () => ({ ok: true, kind: "file", message: path }),
    async close() {},
  };
}

async function signatureOf(path: string): Promise<string> {
  try {
    const info = await stat(path);
    return `${info.ino}:${info.size}:${info.mtimeMs}`;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return "absent";
    throw error;
  }
}

// A damaged file stops the store rather than being overwritten with an empty one.
function parseKeyFile(text: string): Map<string, StoredApiKey> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw new KeelError("INTERNAL", "the API key file is not valid JSON", { details: { reason: "key-file-damaged" } });
  }
  const file = parsed as Partial<KeyFile>;
  if (file?.version !== 1 || !Array.isArray(file.keys)) {
    throw new KeelError("INTERNAL", "the API key file has an unknown layout", {
      details: { reason: "key-file-damaged" },
    });
  }
  return new Map(file.keys.map((record) => [record.id, record]));
}

async function writeAtomically(path: string, records: Map<string, StoredApiKey>): Promise<void> {
  const directory = dirname(path);
  const keys = [...records.values()]
    .map((record) => ({ record, order: sortKey(record) }))
    .sort((left, right) => (left.order < right.order ? -1 : 1))
    .map(({ record }) => record);
  const body: KeyFile = { version: 1, keys };
  const temporary = `${path}.${process.pid}.${randomUUID()}.tmp`;
  const handle = await open(temporary, "wx", 0o600);
  try {
    await handle.writeFile(`${JSON.stringify(body, null, 2)}\n`);
    await handle.sync();
  } finally {
    await handle.close();
  }
  try {
    await rename(temporary, path);
  } catch (error) {
    await unlink(temporary).catch(() => {});
    throw error;
  }
  // The rename itself is durable only once the directory entry is on disk.
  const directoryHandle = await open(directory, "r");
  try {
    await directoryHandle.sync();
  } finally {
    await directoryHandle.close();
  }
}
