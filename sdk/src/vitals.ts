// The lazy web-vitals chunk (dist/cairn-vitals.js, served as /sdk-vitals.js next to /sdk.js). The script tag
// loads it after the load event; it reports each final LCP, CLS and INP as a 'Web Vitals' track event
// through window.cairn, so consent, batching and the page-hide beacon apply as to any event.
import { onCLS, onINP, onLCP, type Metric } from 'web-vitals'
import { formatExperiences } from './decision.js'
import type { Experience } from './types.js'
import { VITALS_EVENT } from '../../contract/names.js'

try {
  const cairn = (window as unknown as { cairn?: (name: string, ...args: unknown[]) => void }).cairn
  if (typeof cairn == 'function') {
    // The metrics belong to this page load: its path and the experiences applied to it.
    const page = location.pathname
    let experiences = ''
    cairn('ready', (list: Experience[]) => (experiences = formatExperiences(list)))
    const report = ({ name, value, rating }: Metric) =>
      cairn('track', VITALS_EVENT, { metric: name, value, rating, page, experiences })
    onLCP(report)
    onCLS(report)
    onINP(report)
  }
} catch {}
