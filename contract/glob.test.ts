import { describe, expect, it } from 'vitest'
import { compileGlob, globMatches, MAX_GLOB_INPUT } from './glob'

/** The old backtracking compilation, kept here only as the reference for `*` semantics. */
const reference = (glob: string, value: string) =>
  new RegExp(`^${glob.trim().replace(/[.+?^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*')}$`, 'i').test(value)

describe('compileGlob', () => {
  // Catches: a change of `*` semantics (any run of characters, `/` included; literal otherwise; no case).
  it('matches like the regular-expression form on a table of cases', () => {
    const globs = ['*', '', '/pricing', '/docs/*', '*.html', '/docs/*/*/*.html', 'a*b*c', '*google*', 'Signed *', 'a.b?c', '**', '*x*x*']
    const values = ['', '/pricing', '/PRICING', '/pricing/', '/docs/', '/docs/a/b/c.html', '/docs/a/c.html', 'abc', 'aXbYc', 'acb', 'www.google.com',
      'Signed Up', 'signed up now', 'a.b?c', 'aXb?c', 'xx', 'x', 'xax', 'a*b']
    for (const glob of globs) for (const value of values) expect([glob, value, globMatches(glob, value)]).toEqual([glob, value, reference(glob, value)])
  })

  // Catches: backtracking (the regular expression takes seconds on this input; linear matching takes well under 50 ms).
  it('answers hostile inputs in linear time', () => {
    const test = compileGlob('/docs/*/*/*.html')
    const hostile = ['/'.repeat(20_000), '/docs' + '/'.repeat(20_000), '/docs/' + 'a/'.repeat(10_000) + 'x.htm']
    const started = performance.now()
    for (const value of hostile) expect(test(value)).toBe(false)
    expect(compileGlob('*a*a*a*a*a*a*b')('a'.repeat(20_000))).toBe(false)
    expect(performance.now() - started).toBeLessThan(50)
  })

  // Catches: unbounded input (a 1 MB path read in full) and over-reading past the bound.
  it(`reads at most ${MAX_GLOB_INPUT} characters`, () => {
    expect(compileGlob('/a*')('/a' + 'x'.repeat(MAX_GLOB_INPUT * 10))).toBe(true)
    expect(compileGlob('*.html')('/' + 'x'.repeat(MAX_GLOB_INPUT) + '.html')).toBe(false)
  })
})
