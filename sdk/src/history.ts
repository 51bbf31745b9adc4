// SPA page views: history.pushState/replaceState are wrapped (called through, same `this` and return
// value, their errors untouched) and popstate is watched; the client decides whether the page changed.

export function watchHistory(w: Window, onChange: () => void): void {
  const history = w.history
  for (const method of ['pushState', 'replaceState'] as const) {
    const original = history[method]
    history[method] = function (this: History, ...args: Parameters<History['pushState']>) {
      const result = original.apply(this, args)
      // After the router's own work in this task, so the page event sees the new title.
      setTimeout(onChange)
      return result
    }
  }
  w.addEventListener('popstate', onChange)
}
