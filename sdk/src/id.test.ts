import { afterEach, describe, expect, it, vi } from 'vitest'
import { anonymousId, uuid } from './id.js'

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/

afterEach(() => vi.unstubAllGlobals())

describe('uuid', () => {
  it('is a v4 UUID with crypto.randomUUID', () => {
    expect(uuid()).toMatch(UUID)
  })
  it('is still a unique v4 UUID where randomUUID is missing (plain-http pages)', () => {
    vi.stubGlobal('crypto', {})
    const ids = new Set(Array.from({ length: 1000 }, uuid))
    expect(ids.size).toBe(1000)
    for (const id of ids) expect(id).toMatch(UUID)
  })
  it('anonymous ids start with a_', () => {
    expect(anonymousId()).toMatch(/^a_[0-9a-f-]{36}$/)
  })
})
