// One Cairn instance: visitor ids, consent, the event queue and its sending, personalization, in-app
// messages and the web-vitals chunk. All state lives here.
import { EDGE_MESSAGES, LATE_EVENT } from '../../contract/names.js'
import { showMessage } from './banner.js'
import { initialConsent, mayStore, routeEvent } from './consent.js'
import { pageContext, parseCampaign, pathKey } from './context.js'
import { edgeDecision, formatExperiences, parseExperiences, personalizeUrl, readDecision } from './decision.js'
import { createEmitter } from './emitter.js'
import { watchHistory, whenTitled } from './history.js'
import { anonymousId, uuid } from './id.js'
import { withLock } from './lock.js'
import { createPersonalizer } from './personalize.js'
import { append, backoff, BATCH_MAX, failed, idsOf, parseQueue, retryable, without } from './queue.js'
import { noop, safe } from './safe.js'
import { fillSlots, whenParsed } from './slots.js'
import { AID, CONSENT, FIRST_TOUCH, read, readCookie, remove, UID, wipe, write, writeCookie } from './storage.js'
import { beacon, encodeBatch, pack, post } from './transport.js'
import type { Cairn, CairnEvent, CairnOptions, Consent, Experience, Message, Properties, QueueItem } from './types.js'

/** Batches wait this long for company before they are sent. */
const FLUSH_MS = 1000

/**
 * Creates an instance and answers it with its start function (automatic page views: now and on SPA
 * navigation), so a caller can apply queued consent calls before the first page view.
 */
export function createClient(options: CairnOptions): [Cairn, () => void] {
  const w = window
  const nav = navigator as Navigator & { globalPrivacyControl?: boolean }
  const doc = document
  const loc = location
  const site = options.site
  const base = (options.api || '').replace(/\/+$/, '')
  const url = base + '/v1/events'
  const queueKey = 'cairn_q:' + site
  const tab = uuid()
  // Automation (navigator.webdriver) is said, not hidden: the Worker stores it only if the site accepts it.
  const automated = nav.webdriver === true || undefined
  const landing = parseCampaign(loc.href)
  const messages = createEmitter<Message>()
  /** Message ids already delivered on this page (a SPA navigation may answer one again). */
  const delivered: string[] = []
  let landed!: (experiences: Experience[]) => void
  // The landing page's personalization settles it (applied or fell back); ready callbacks wait for it.
  const applied = new Promise<Experience[]>((resolve) => (landed = resolve))

  let consent: Consent = initialConsent(read(CONSENT), nav.globalPrivacyControl === true, options.consent == 'required')
  let aid = anonymousId()
  let uid: string | null | undefined
  let referrer = doc.referrer
  let here = ''
  let last = ''
  /** The title of the last page view: a route's page view waits for the router to change it. */
  let titled = ''
  /** The queue when nothing may be stored or storage failed; a mirror of the last write otherwise. */
  let memory: QueueItem[] = []
  /** Events made while consent is pending: sent on grant, discarded on deny. */
  let held: QueueItem[] = []
  let flying: string[] = []
  let storageFailed = false
  let busy = false
  let timer: ReturnType<typeof setTimeout> | 0 = 0
  let until = 0
  let fails = 0
  let batchMax = BATCH_MAX
  let vitals = options.vitals
  /** The built-in renderer: the chunk's URL (script tag) or the function itself (ESM). */
  const renderer = options.messages
  /** Messages that wait for the renderer chunk (loading once). */
  const waiting: Message[] = []

  const persisting = () => mayStore(consent) && !storageFailed
  const load = (): QueueItem[] => (persisting() ? parseQueue(read(queueKey)) : memory)
  const save = (queue: QueueItem[]) => {
    const json = JSON.stringify(queue)
    memory = queue
    if (persisting() && !write(queueKey, json)) storageFailed = true
  }
  const live = () => nav.onLine !== false
  /** The personalize request carries the visitor id: only for a consenting visitor. */
  const personalizing = () => consent == 'granted'

  /** Writes the ids of a visitor who may be remembered (the cookie is shared with edge mode). */
  const keep = () => {
    if (!mayStore(consent)) return
    writeCookie(aid)
    write(AID, aid)
    uid ? write(UID, uid) : remove(UID)
  }

  /** Consent (implied or explicit) allows storage: adopt the stored ids, or store ours. */
  const remember = () => {
    aid = readCookie() || read(AID) || aid
    uid ||= read(UID)
    keep()
    // First touch: the first landing with ad attribution this visitor made (later personalization reads it).
    if (landing && !read(FIRST_TOUCH)) write(FIRST_TOUCH, JSON.stringify(landing))
  }

  const schedule = (ms: number) => {
    if (!ms) drain()
    else if (!timer)
      timer = setTimeout(() => {
        timer = 0
        drain()
      }, ms)
  }

  /** Applies a server answer to a sent batch; false when the rest must wait for a retry. */
  const settle = (ids: string[], status: number): boolean => {
    // Too large, or refused (400: one bad event refuses its batch): try halves before dropping, so only a
    // lone event that is too large or invalid is dropped, never the good ones sent with it.
    if ((status == 413 || status == 400) && ids.length > 1) batchMax = ids.length >> 1
    else if (retryable(status)) {
      save(failed(load(), ids))
      until = Date.now() + backoff(fails++)
      return false
    } else {
      fails = 0
      save(without(load(), ids))
    }
    return true
  }

  const sendAll = async () => {
    for (let queue = load(); queue.length; queue = load()) {
      const batch = pack(queue, site, batchMax)[0] || queue.slice(0, 1)
      flying = idsOf(batch)
      const status = await post(url, encodeBatch(site, batch, automated))
      flying = []
      if (!settle(idsOf(batch), status)) break
    }
  }

  /** Sends the queue, one request at a time per tab, and only in the tab that holds the site's lock. */
  const drain = async () => {
    if (busy) return
    busy = true
    try {
      if (live() && Date.now() >= until) await (persisting() ? withLock(site, tab, sendAll) : sendAll())
    } catch {}
    busy = false
    if (live() && load().length) schedule(Math.max(until - Date.now(), FLUSH_MS))
  }

  /** Page hidden: hand everything to sendBeacon (64 KiB in all); offline, it stays stored for the next page. */
  const hide = safe(() => {
    // A route's page view still waiting for its title goes now, or never.
    flush()
    if (!live()) return
    const queue = load().filter((item) => !flying.includes(item.e.id))
    for (const batch of pack(queue, site, batchMax)) {
      const body = encodeBatch(site, batch, automated)
      const ids = idsOf(batch)
      if (beacon(url, body)) save(without(load(), ids))
      else {
        // In flight too: pagehide, which follows visibilitychange, must not send these again.
        flying = flying.concat(ids)
        post(url, body).then((status) => settle(ids, status))
        break
      }
    }
  })

  /** `href`: the page the event belongs to (a route's page view is sent once its title is set). */
  const add = (type: CairnEvent['type'], fields: Partial<CairnEvent>, necessary = false, href = loc.href) => {
    const route = routeEvent(consent, necessary)
    if (route == 'drop') return
    // After a SPA navigation the referrer is the page before.
    here == href || (referrer = here || referrer)
    here = href
    // A JSON copy: the host may change its objects later, and what cannot be serialized fails here, not in the queue.
    const item: QueueItem = JSON.parse(
      JSON.stringify({
        e: {
          id: uuid(),
          type,
          ...fields,
          userId: necessary && !mayStore(consent) ? undefined : uid || undefined,
          anonymousId: aid,
          timestamp: new Date().toISOString(),
          context: pageContext(href, referrer, landing),
        },
        n: 0,
        x: necessary,
      }),
    )
    if (route == 'hold') return (held = append(held, [item]))
    const queue = append(load(), [item])
    save(queue)
    schedule(queue.length >= BATCH_MAX ? 0 : FLUSH_MS)
  }

  /** Adds a script (a lazy chunk) to <head>. */
  const chunk = (src: string) => {
    const script = doc.createElement('script')
    script.src = src
    doc.head.append(script)
    return script
  }

  /**
   * The site's listeners get every message; only a message no listener took goes to the built-in renderer,
   * so a listener registered late (while the chunk loads, or after it showed one) takes over from it. A
   * message id shows once per page.
   */
  const show = (message: Message) => messages.emit('message', message) || messages.emit('render', message)
  const deliver = (list: Message[]) =>
    whenParsed(
      doc,
      safe(() => {
        for (const message of list)
          if (message && !delivered.includes(message.id)) {
            delivered.push(message.id)
            show(message) ||
              (typeof renderer == 'function'
                ? renderer(message)
                : // The chunk registers itself for 'render', then gets what waited.
                  renderer && waiting.push(message) == 1 && (chunk(renderer).onload = () => waiting.map(show)))
          }
      }),
    )

  const personalize = createPersonalizer(
    doc,
    async (href) => {
      const response = await fetch(personalizeUrl(base, site, href, aid, doc.referrer, automated), { credentials: 'omit' })
      if (!response.ok) throw 0
      return readDecision(await response.json())
    },
    deliver,
    // The server counted an exposure the visitor never saw: this lets analysis discount it.
    (decision, ms) => api.track(LATE_EVENT, { experiences: formatExperiences(decision.experiences), ms }),
    landed,
  )

  /** The web-vitals chunk: once, after the load event, for a consenting visitor. */
  const loadVitals = safe(() => {
    if (vitals && consent == 'granted' && doc.readyState == 'complete') {
      chunk(vitals)
      vitals = false
    }
  })

  const sendPage = (properties?: Properties, href = loc.href, key = pathKey(loc)) => {
    last = key
    titled = doc.title
    add('page', { properties }, false, href)
  }
  /** Sends the route's page view that waits for its title. */
  let flush = noop

  const api: Cairn = {
    page: safe((properties) => sendPage(properties)),
    // A nameless event would make the server refuse its whole batch (400).
    track: safe((name, properties, options) => name && add('track', { event: String(name), properties }, options?.necessary === true)),
    // null is "no user id": the traits still describe this visitor (logging out is reset).
    identify: safe((userId, traits, options) => {
      if (userId != null) uid = String(userId)
      keep()
      add('identify', { traits, verification: options?.hash })
    }),
    // Logout: a new anonymous visitor with no user id; events waiting for consent belonged to the previous one.
    reset: safe(() => {
      uid = undefined
      aid = anonymousId()
      held = []
      remove(FIRST_TOUCH)
      keep()
    }),
    consent: safe((choice) => {
      if (choice == 'granted') {
        // What waited in memory joins the stored queue (when already granted, memory only mirrors it).
        const waiting = mayStore(consent) ? held : memory.concat(held)
        consent = 'granted'
        write(CONSENT, choice)
        remember()
        for (const item of held) item.e.anonymousId = aid
        save(append(load(), waiting))
        held = []
        schedule(FLUSH_MS)
        loadVitals()
      } else if (choice == 'denied') {
        consent = 'denied'
        wipe()
        held = []
        memory = memory.filter((item) => item.x)
        uid = undefined
        aid = anonymousId()
      }
    }),
    ready: (callback) => void applied.then(callback).catch(noop),
    on: messages.on,
  }

  const start = () => {
    const auto = options.auto !== false
    const edge = edgeDecision(doc, performance)
    let shown = pathKey(loc)
    try {
      // Edge mode: the Worker decided the page already (and filled its slots, if any).
      // No consent yet (opt-in mode), denied or GPC: the defaults stay; a later page is personalized.
      // Its in-app messages came in the HTML too (a JSON blob at the end of <body>): no request for them.
      // Either way every slot is settled once parsed (data-cairn-done: a site's own CSS may hold slots until then).
      edge != null
        ? (landed(parseExperiences(edge)),
          whenParsed(doc, safe(() => (fillSlots(doc), deliver(JSON.parse(doc.getElementById(EDGE_MESSAGES)!.textContent!))))))
        : personalizing()
          ? personalize(loc.href, true)
          : (landed([]), whenParsed(doc, safe(() => fillSlots(doc))))
    } catch {
      landed([])
    }
    watchHistory(
      w,
      safe((href: string) => {
        const now = pathKey(new URL(href))
        if (now != shown && personalizing()) personalize(href)
        shown = now
        if (auto && now != last) {
          flush()
          last = now
          flush = whenTitled(doc, titled, safe(() => sendPage(undefined, href, now)))
        }
      }),
    )
    auto && api.page()
  }

  if (mayStore(consent)) remember()
  else if (consent == 'denied') wipe()
  w.addEventListener('online', () => {
    until = 0
    drain()
  })
  w.addEventListener('pagehide', hide)
  doc.addEventListener('visibilitychange', () => doc.visibilityState == 'hidden' && hide())
  // After the load event and when the browser is idle, so it never competes with the page.
  const idle = safe(() => (w.requestIdleCallback || setTimeout)(loadVitals))
  doc.readyState == 'complete' ? idle() : w.addEventListener('load', idle)
  // Events left by an earlier page (offline, closed too early) go out with this page's.
  schedule(FLUSH_MS)
  return [api, start]
}

/** A new instance with automatic page views unless `auto: false`; outside a browser, one that does nothing. */
export function createCairn(options: CairnOptions): Cairn {
  try {
    // Without a listener, messages show with the built-in renderer (bundled here: the script tag loads it lazily).
    const [cairn, start] = createClient({
      messages: (message) => showMessage(document, message, (event) => cairn.track(event, { messageId: message.id })),
      ...options,
    })
    start()
    return cairn
  } catch {
    return { page: noop, track: noop, identify: noop, reset: noop, consent: noop, ready: noop, on: noop }
  }
}
