// The SDK never throws into the host page: every entry point and callback goes through `safe`.

export const noop = (): void => {}

export function safe<A extends unknown[]>(fn: (...args: A) => unknown): (...args: A) => void {
  return (...args) => {
    try {
      fn(...args)
    } catch {}
  }
}
