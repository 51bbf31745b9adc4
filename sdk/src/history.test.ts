import { describe, expect, it, vi } from 'vitest'
import { watchHistory } from './history.js'

function fakeWindow() {
  const listeners: Record<string, () => void> = {}
  const history = {
    calls: [] as unknown[],
    pushState(this: any, ...args: unknown[]) {
      this.calls.push(['push', ...args])
      return 'push-result'
    },
    replaceState(this: any, ...args: unknown[]) {
      if (args[2] == 'bad') throw new DOMException('cross-origin', 'SecurityError')
      this.calls.push(['replace', ...args])
      return 'replace-result'
    },
  }
  const w = { history, addEventListener: (type: string, listener: () => void) => (listeners[type] = listener) }
  return { w: w as unknown as Window, history, listeners }
}

describe('watchHistory', () => {
  it('calls through to the host history with the same this, arguments and return value', () => {
    const { w, history } = fakeWindow()
    watchHistory(w, () => {})
    expect(w.history.pushState({ a: 1 }, '', '/a')).toBe('push-result')
    expect(w.history.replaceState(null, '', '/b')).toBe('replace-result')
    expect(history.calls).toEqual([
      ['push', { a: 1 }, '', '/a'],
      ['replace', null, '', '/b'],
    ])
  })
  it("lets the host's own errors through unchanged", () => {
    const { w } = fakeWindow()
    watchHistory(w, () => {})
    expect(() => w.history.replaceState(null, '', 'bad')).toThrow('cross-origin')
  })
  it('reports changes after the call (the router sets the title first) and on popstate', async () => {
    vi.useFakeTimers()
    try {
      const { w, listeners } = fakeWindow()
      const onChange = vi.fn()
      watchHistory(w, onChange)
      w.history.pushState(null, '', '/a')
      expect(onChange).not.toHaveBeenCalled()
      await vi.runAllTimersAsync()
      expect(onChange).toHaveBeenCalledOnce()
      listeners.popstate!()
      expect(onChange).toHaveBeenCalledTimes(2)
    } finally {
      vi.useRealTimers()
    }
  })
})
