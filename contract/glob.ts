// Glob semantics shared by score rules, audiences and the dashboard: `*` matches any run of characters
// (including `/`), everything else is literal, and case is ignored. Matching never backtracks.

/** Longest value a glob reads, in characters: a hostile URL path costs no more than this. */
export const MAX_GLOB_INPUT = 2048

export type GlobTest = (value: string) => boolean

/**
 * Compiles a glob once into a test. The text between stars must appear in order: the first part as a
 * prefix, the last as a suffix, each middle part at its leftmost place after the one before (greedy
 * leftmost is optimal for `*`-only globs), so a test is one left-to-right pass over at most
 * MAX_GLOB_INPUT characters, whatever the pattern.
 */
export function compileGlob(pattern: string): GlobTest {
  const parts = pattern.trim().toLowerCase().split('*')
  const head = parts[0]!
  if (parts.length == 1) return (value) => value.slice(0, MAX_GLOB_INPUT).toLowerCase() == head
  const tail = parts[parts.length - 1]!
  const middle = parts.slice(1, -1).filter(Boolean)
  return (raw) => {
    const value = raw.slice(0, MAX_GLOB_INPUT).toLowerCase()
    const end = value.length - tail.length
    if (end < head.length || !value.startsWith(head) || !value.endsWith(tail)) return false
    let at = head.length
    for (const part of middle) {
      const found = value.indexOf(part, at)
      if (found < 0 || found + part.length > end) return false
      at = found + part.length
    }
    return true
  }
}

/** One-off match; callers that test many values compile once with compileGlob. */
export const globMatches = (pattern: string, value: string): boolean => compileGlob(pattern)(value)
