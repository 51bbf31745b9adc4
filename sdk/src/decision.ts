// The wire side of GET /v1/personalize, kept pure: its URL, reading its answer, and experiences as the
// "expId:varId,…" text used by edge mode's decision (Server-Timing, <html data-cairn-edge>) and by 'Web Vitals' events.
import { EDGE_DECISION } from '../../contract/names.js'
import type { Decision, Experience } from './types.js'

/**
 * Edge mode's decision for this page, or null when the page did not come through edge mode: the marker on
 * `<html>` of a rewritten page, else the navigation's `cairn-edge` Server-Timing entry (a page edge mode
 * passed through untouched). A browser without `serverTiming` asks /v1/personalize: the same decision.
 */
export const edgeDecision = (doc: Document, perf: Performance): string | null => {
  const marked = doc.documentElement.getAttribute('data-' + EDGE_DECISION)
  try {
    return marked ?? (perf.getEntriesByType('navigation')[0] as PerformanceNavigationTiming).serverTiming.find((t) => t.name == EDGE_DECISION)!.description
  } catch {
    return null
  }
}

/**
 * A plain GET with no custom header: no CORS preflight. `ref` is the page's referrer (the request's own
 * Referer is the page), for referrer audiences. `automated`: an automated browser (no exposure recorded).
 */
export const personalizeUrl = (base: string, site: string, href: string, aid: string, ref: string, automated?: true): string =>
  base +
  '/v1/personalize?' +
  new URLSearchParams({ site, url: href, aid, ...(ref && { ref }), ...(automated && { automated: '1' }) })

/** A missing part of the answer reads as "nothing" (a malformed one fails later, inside a try). */
export const readDecision = (body: Partial<Decision> | null): Decision => ({ slots: {}, experiences: [], messages: [], ...body })

export const formatExperiences = (experiences: Experience[]): string =>
  experiences.map((experience) => experience.id + ':' + experience.variant).join()

export const parseExperiences = (text: string): Experience[] =>
  text
    .split(',')
    .filter(Boolean)
    .map((pair) => {
      const [id, variant] = pair.split(':') as [string, string]
      return { id, variant }
    })
