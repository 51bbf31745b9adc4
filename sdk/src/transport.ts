// Sending batches: fetch while the page lives, sendBeacon when it hides. text/plain JSON: no CORS preflight.
import type { CairnEvent, QueueItem } from './types.js'

/** The browser's keepalive budget, shared by all beacons and keepalive fetches in flight. */
export const BODY_MAX = 65536

export const bytes = (text: string): number => new Blob([text]).size

/** `automated`: sent from an automated browser (the key is left out otherwise). */
export function encodeBatch(site: string, items: QueueItem[], automated?: true): string {
  return JSON.stringify({ site, sentAt: new Date().toISOString(), automated, batch: items.map((item) => item.e) satisfies CairnEvent[] })
}

/**
 * Splits items, in order, into batches of at most `max` events whose bodies fit in `budget` bytes all
 * together (so each one fits too). Stops at the first event that does not fit: it waits for a later send.
 */
export function pack(items: QueueItem[], site: string, max = 20, budget = BODY_MAX): QueueItem[][] {
  const batches: QueueItem[][] = []
  const overhead = bytes(encodeBatch(site, []))
  let batch: QueueItem[] = []
  let size = overhead
  for (const item of items) {
    const itemSize = bytes(JSON.stringify(item.e)) + 1
    if (batch.length && (batch.length == max || size + itemSize > budget)) {
      batches.push(batch)
      budget -= size
      batch = []
      size = overhead
    }
    if (size + itemSize > budget) break
    batch.push(item)
    size += itemSize
  }
  if (batch.length) batches.push(batch)
  return batches
}

/** POSTs a body and answers the HTTP status, 0 for a network error. */
export async function post(url: string, body: string): Promise<number> {
  try {
    const response = await fetch(url, {
      method: 'POST',
      body,
      headers: { 'Content-Type': 'text/plain' },
      keepalive: bytes(body) <= BODY_MAX,
      credentials: 'omit',
    })
    return response.status
  } catch {
    return 0
  }
}

/** True when the browser took the body: it owns the delivery from then on. */
export function beacon(url: string, body: string): boolean {
  try {
    return !!navigator.sendBeacon?.(url, new Blob([body], { type: 'text/plain' }))
  } catch {
    return false
  }
}
