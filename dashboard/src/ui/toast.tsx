// The polite status line at the bottom of the page.
import { useEffect, useSyncExternalStore } from 'hono/jsx/dom'
import { createStore } from '../store'

const toast = createStore({ message: '', at: 0 })

export const announce = (message: string) => toast.set({ message, at: Date.now() })

export function Toast() {
  const { message, at } = useSyncExternalStore(toast.subscribe, toast.get)
  useEffect(() => {
    if (!at) return
    const timer = setTimeout(() => toast.set({ at: 0 }), 2500)
    return () => clearTimeout(timer)
  }, [at])
  return (
    <p id="status" class={at ? 'toast visible' : 'toast'} role="status" aria-live="polite">
      {message}
    </p>
  )
}
