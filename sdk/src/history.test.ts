import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { watchHistory } from './history.js'

function fakeWindow() {
  const listeners: Record<string, () => void> = {}
  const location = { href: 'https://acme.test/' }
  const history = {
    calls: [] as unknown[],
    pushState(this: any, ...args: unknown[]) {
      this.calls.push(['push', ...args])
      location.href = new URL(String(args[2]), location.href).href
      return 'push-result'
    },
    replaceState(this: any, ...args: unknown[]) {
      if (args[2] == 'bad') throw new DOMException('cross-origin', 'SecurityError')
      this.calls.push(['replace', ...args])
      location.href = new URL(String(args[2]), location.href).href
      return 'replace-result'
    },
  }
  const w = { history, location, addEventListener: (type: string, listener: () => void) => (listeners[type] = listener) }
  return { w: w as unknown as Window, history, location, listeners }
}

describe('watchHistory', () => {
  beforeEach(() => vi.useFakeTimers())
  afterEach(() => vi.useRealTimers())

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
    const { w, location, listeners } = fakeWindow()
    const onChange = vi.fn()
    watchHistory(w, onChange)
    w.history.pushState(null, '', '/a')
    expect(onChange).not.toHaveBeenCalled()
    await vi.runAllTimersAsync()
    expect(onChange.mock.calls).toEqual([['https://acme.test/a']])
    location.href = 'https://acme.test/'
    listeners.popstate!()
    await vi.runAllTimersAsync()
    expect(onChange.mock.calls).toEqual([['https://acme.test/a'], ['https://acme.test/']])
  })

  // Catches a pushed page lost when Back follows before the push was reported (a busy page: seen in Chromium).
  it('reports a push and a Back that come in one burst as two changes, in order, each with its URL', async () => {
    const { w, location, listeners } = fakeWindow()
    const onChange = vi.fn()
    watchHistory(w, onChange)
    w.history.pushState(null, '', '/a')
    w.history.pushState(null, '', '/b')
    location.href = 'https://acme.test/a' // Back
    listeners.popstate!()
    listeners.hashchange!()
    await vi.runAllTimersAsync()
    expect(onChange.mock.calls.map(([href]) => new URL(href).pathname)).toEqual(['/a', '/b', '/a', '/a'])
  })
})
