/**
 * Properties read on first use: what a segment holds beyond what answering needs at once
 * (people, stems, vectors, int8 codes) stays on disk until asked for.
 */

/** Keys of an object still waiting for their first read. */
const pending = new WeakMap<object, Set<string>>();

/** `object` with `key` computed by `load` on first read, then kept; assigning replaces it. */
export function withLazy<T extends object, K extends string, V>(object: T, key: K, load: () => V): T & Record<K, V> {
  let value: V | undefined;
  let loaded = false;
  const keys = pending.get(object) ?? new Set<string>();
  pending.set(object, keys.add(key));
  const keep = (v: V) => {
    [value, loaded] = [v, true];
    keys.delete(key);
    return v;
  };
  return Object.defineProperty(object, key, {
    enumerable: true,
    get: () => (loaded ? value : keep(load())),
    set: keep,
  }) as T & Record<K, V>;
}

/** Whether a property of `withLazy` has been read or assigned (any other property counts as read). */
export function isLoaded(object: object, key: string): boolean {
  return !pending.get(object)?.has(key);
}
