import { afterEach, describe, expect, it, vi } from 'vitest'
import { fakeBrowser } from '../test/fake-browser.js'
import { leaseFree, withLock } from './lock.js'

let browser: ReturnType<typeof fakeBrowser>
afterEach(() => browser?.restore())

describe('leaseFree', () => {
  it('is free when absent, expired or ours; taken while another tab holds it', () => {
    expect(leaseFree(null, 't1', 1000)).toBe(true)
    expect(leaseFree('t2 999', 't1', 1000)).toBe(true)
    expect(leaseFree('t1 5000', 't1', 1000)).toBe(true)
    expect(leaseFree('t2 5000', 't1', 1000)).toBe(false)
    expect(leaseFree('garbage', 't1', 1000)).toBe(true)
  })
})

describe('withLock', () => {
  it('with Web Locks: a second tab is refused while the first drains', async () => {
    browser = fakeBrowser({ locks: true })
    let release!: () => void
    const first = withLock('pk_demo', 't1', () => new Promise<void>((resolve) => (release = resolve)))
    const drain = vi.fn(async () => {})
    expect(await withLock('pk_demo', 't2', drain)).toBe(false)
    expect(drain).not.toHaveBeenCalled()
    release()
    expect(await first).toBe(true)
    expect(await withLock('pk_demo', 't2', drain)).toBe(true)
    expect(drain).toHaveBeenCalledOnce()
  })

  it('without Web Locks: a localStorage lease, renewed while draining and released after', async () => {
    browser = fakeBrowser({ locks: false })
    vi.useFakeTimers()
    try {
      let release!: () => void
      const first = withLock('pk_demo', 't1', () => new Promise<void>((resolve) => (release = resolve)))
      expect(browser.storage.getItem('cairn_lock:pk_demo')).toMatch(/^t1 \d+$/)
      // Renewed: still held after more than one lease period.
      await vi.advanceTimersByTimeAsync(12000)
      expect(await withLock('pk_demo', 't2', async () => {})).toBe(false)
      release()
      expect(await first).toBe(true)
      expect(browser.storage.getItem('cairn_lock:pk_demo')).toBeNull()
      expect(await withLock('pk_demo', 't2', async () => {})).toBe(true)
    } finally {
      vi.useRealTimers()
    }
  })

  it('takes over a lease its holder left to expire (closed tab)', async () => {
    browser = fakeBrowser({ locks: false })
    browser.storage.setItem('cairn_lock:pk_demo', 't1 ' + (Date.now() - 1))
    expect(await withLock('pk_demo', 't2', async () => {})).toBe(true)
  })
})
