// Names the SDK, the Worker and the dashboard must agree on.

/** First-party cookie holding the anonymous visitor id: set by the SDK and by edge mode. */
export const VISITOR_COOKIE = 'cairn_aid'

/** Track event the lazy web-vitals chunk sends (LCP, CLS, INP per page and variant). */
export const VITALS_EVENT = 'Web Vitals'

/** Track event the SDK sends when a decision arrived too late to be applied. */
export const LATE_EVENT = 'Personalization Late'

/** Events Cairn itself sends, as opposed to a site's own actions. */
export const INTERNAL_EVENTS: readonly string[] = [VITALS_EVENT, LATE_EVENT]

/** Id of the `<script type="application/json">` edge mode appends to `<body>` with the visitor's in-app messages. */
export const EDGE_MESSAGES = 'cairn-messages'

/**
 * Edge mode's decision ("expId:varId,…", empty when nothing applied), so the SDK does not ask again: the
 * `Server-Timing` entry of every edge page (`cairn-edge;desc="…"`), and `<html data-cairn-edge="…">` on a
 * page the rewriter ran over anyway (a slot filled or messages added).
 */
export const EDGE_DECISION = 'cairn-edge'
