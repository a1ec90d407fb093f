/**
 * A Map that forgets its least recently used entry once it holds `capacity` entries.
 * Compiled validators are cached by schema hash; a caller sending a fresh schema on
 * every request must not grow memory without bound.
 */
export class BoundedMap<K, V> {
  readonly #entries = new Map<K, V>();
  readonly #capacity: number;
  readonly #onEvict: ((key: K, value: V) => void) | undefined;

  constructor(capacity: number, onEvict?: (key: K, value: V) => void) {
    this.#capacity = Math.max(1, capacity);
    this.#onEvict = onEvict;
  }

  get(key: K): V | undefined {
    const value = this.#entries.get(key);
    if (value !== undefined) {
      // Re-insert so Map's insertion order doubles as recency order.
      this.#entries.delete(key);
      this.#entries.set(key, value);
    }
    return value;
  }

  set(key: K, value: V): void {
    this.#entries.delete(key);
    this.#entries.set(key, value);
    if (this.#entries.size > this.#capacity) {
      const oldest = this.#entries.entries().next();
      if (oldest.done !== true) {
        const [oldestKey, oldestValue] = oldest.value;
        this.#entries.delete(oldestKey);
        this.#onEvict?.(oldestKey, oldestValue);
      }
    }
  }

  get size(): number {
    return this.#entries.size;
  }
}
