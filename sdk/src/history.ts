// SPA page views: history.pushState/replaceState are wrapped (called through, same `this` and return
// value, their errors untouched), and popstate and hashchange (hash routers, Back) are watched; the client
// decides whether the page changed.

/** Longest wait for a router to set the new page's title. */
export const TITLE_WAIT_MS = 300

/**
 * Reports each history change with the URL it made, in the order they happened, one task later (after the
 * router's own work, e.g. its title). A Back right after a pushState, before either was reported, is still
 * two page views: reading the location when reporting would see only where the visitor ended up.
 */
export function watchHistory(w: Window, onChange: (href: string) => void): void {
  const history = w.history
  const later = () => {
    const href = w.location.href
    setTimeout(() => onChange(href))
  }
  for (const method of ['pushState', 'replaceState'] as const) {
    const original = history[method]
    history[method] = function (this: History, ...args: Parameters<History['pushState']>) {
      const result = original.apply(this, args)
      later()
      return result
    }
  }
  w.addEventListener('popstate', later)
  w.addEventListener('hashchange', later)
}

/**
 * Runs `then` once the route has settled: at once when the title already differs from the last page's,
 * else when the router changes it (many set it after the navigation; checked every 20 ms), or after
 * TITLE_WAIT_MS. Answers a function that runs it now (a newer navigation), once in all.
 */
export function whenTitled(doc: Document, previous: string, then: () => void): () => void {
  let timer: ReturnType<typeof setTimeout>
  let waited = 0
  const check = (now?: 1) => {
    if (waited < 0) return
    if (now || doc.title != previous || waited >= TITLE_WAIT_MS) {
      waited = -1
      clearTimeout(timer)
      then()
    } else {
      waited += 20
      timer = setTimeout(check, 20)
    }
  }
  check()
  return () => check(1)
}
