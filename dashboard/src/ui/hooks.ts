// Loading with cancellation: a newer request (or leaving the view) aborts the older one, so a slow stale
// answer can never overwrite a fresh one.
import { useCallback, useEffect, useRef, useState } from 'hono/jsx/dom'
import { isAbort } from '../api/client'

/** `next()` aborts the previous signal it handed out and returns a fresh one; unmounting aborts the last. */
export function useLatestSignal(): () => AbortSignal {
  const current = useRef<AbortController | null>(null)
  useEffect(() => () => current.current?.abort(), [])
  return useCallback(() => {
    current.current?.abort()
    current.current = new AbortController()
    return current.current.signal
  }, [])
}

export type Loaded<T> = { data: T | undefined; error: unknown; loading: boolean; reload: () => void; set: (data: T) => void }

/** Runs `load` whenever `deps` change (or on `reload`), keeping only the newest answer. */
export function useLoad<T>(load: (signal: AbortSignal) => Promise<T>, deps: readonly unknown[]): Loaded<T> {
  const [state, setState] = useState<{ data: T | undefined; error: unknown; loading: boolean }>({ data: undefined, error: null, loading: true })
  const [tick, setTick] = useState(0)
  const next = useLatestSignal()
  useEffect(() => {
    const signal = next()
    setState((s) => ({ ...s, loading: true }))
    load(signal).then(
      (data) => {
        if (!signal.aborted) setState({ data, error: null, loading: false })
      },
      (error: unknown) => {
        if (!signal.aborted && !isAbort(error)) setState((s) => ({ ...s, error, loading: false }))
      },
    )
  }, [...deps, tick])
  const reload = useCallback(() => setTick((t) => t + 1), [])
  const set = useCallback((data: T) => setState({ data, error: null, loading: false }), [])
  return { ...state, reload, set }
}

/** A value that settles `ms` after the last change (the previews' debounce). */
export function useDebounced<T>(value: T, ms: number): T {
  const [settled, setSettled] = useState(value)
  useEffect(() => {
    const timer = setTimeout(() => setSettled(value), ms)
    return () => clearTimeout(timer)
  }, [value, ms])
  return settled
}
