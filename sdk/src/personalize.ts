// Client-mode timing. The landing page's pending slots are held invisible for at most WAIT_MS, then show
// their defaults; a decision that comes later is recorded, never applied (no flicker). SPA navigations, and
// a script that runs after the first contentful paint, hold nothing: their decision applies if it arrives
// within WAIT_MS, else it is skipped the same way.
import { noop, safe } from './safe.js'
import { fillSlots, holdSlots, whenParsed } from './slots.js'
import type { Decision, Experience, Message } from './types.js'

export const WAIT_MS = 300

/**
 * Answers the function that personalizes the page shown at `href`: `landing` holds pending slots and
 * settles `ready`. A newer call (SPA navigation) makes the decisions of older ones stale.
 * @param request GET /v1/personalize for a page URL; rejects on any failure
 * @param deliver gets the messages of a decision for the page still shown, in time or not
 * @param late gets a decision that came after WAIT_MS (`ms` after the request): its slots were not applied
 * @param settle gets the landing page's outcome: the experiences applied ([] after a timeout or an error)
 */
export function createPersonalizer(
  doc: Document,
  request: (href: string) => Promise<Decision>,
  deliver: (messages: Message[]) => void,
  late: (decision: Decision, ms: number) => void,
  settle: (experiences: Experience[]) => void,
): (href: string, landing?: boolean) => void {
  let current = 0
  return (href, landing) => {
    const call = ++current
    const started = Date.now()
    // Hiding what the visitor already sees would add a blank frame: once content is painted, no hold.
    const style = landing && !performance.getEntriesByName('first-contentful-paint').length && holdSlots(doc)
    let decision: Decision | undefined
    let open = true
    // Fills the slots parsed so far from the decision, if one came in time. Called again once the document is
    // parsed: slots parsed after the hold ended were seen with their defaults, which stay (no swap); they are
    // only marked settled.
    const close = () => {
      const first = open
      if (open) {
        open = false
        clearTimeout(timer)
        style && style.remove()
        if (landing) settle(decision ? decision.experiences : [])
      }
      fillSlots(doc, first ? decision?.slots : undefined)
    }
    const timer = setTimeout(safe(close), WAIT_MS)
    whenParsed(doc, safe(() => open || close()))
    request(href)
      .then((answer) => {
        if (call != current) return
        // In time: applied once the document is parsed (held until then, WAIT_MS at most).
        if (open) {
          decision = answer
          whenParsed(doc, safe(close))
        } else late(answer, Date.now() - started)
        deliver(answer.messages)
      }, close)
      .catch(noop)
  }
}
