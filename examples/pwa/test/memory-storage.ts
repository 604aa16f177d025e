/** A `Storage` in memory, for the tests of what the app keeps in `localStorage`. */

/** The three `Storage` methods the app uses, over a map. */
export class MemoryStorage {
  readonly items = new Map<string, string>();

  getItem(key: string): string | null {
    return this.items.get(key) ?? null;
  }

  setItem(key: string, value: string): void {
    this.items.set(key, value);
  }

  removeItem(key: string): void {
    this.items.delete(key);
  }
}
