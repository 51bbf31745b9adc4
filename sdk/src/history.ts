// SPA page views: history.pushState/replaceState are wrapped (called through, same `this` and return
// value, their errors untouched), and popstate and hashchange (hash routers, Back) are watched; the client
// decides whether the page changed.

/** Longest wait for a router to set the new page's title. */
export const TITLE_WAIT_MS = 300

export function watchHistory(w: Window, onChange: () => void): void {
  const history = w.history
  for (const method of ['pushState', 'replaceState'] as const) {
    const original = history[method]
    history[method] = function (this: History, ...args: Parameters<History['pushState']>) {
      const result = original.apply(this, args)
      // After the router's own work in this task.
      setTimeout(onChange)
      return result
    }
  }
  w.addEventListener('popstate', onChange)
  w.addEventListener('hashchange', onChange)
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
