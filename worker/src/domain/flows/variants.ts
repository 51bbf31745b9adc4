// Deterministic A/B split: the same lead always gets the same variant of a step (FNV-1a over a key).

/** Index in [0, count) from a stable hash of the key. */
export function chooseVariant(key: string, count: number): number {
  let hash = 0x811c9dc5
  for (let i = 0; i < key.length; i++) {
    hash ^= key.charCodeAt(i)
    hash = Math.imul(hash, 0x01000193)
  }
  return (hash >>> 0) % count
}
