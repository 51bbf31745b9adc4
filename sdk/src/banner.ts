// The built-in in-app message renderer, used when no on('message') listener exists: a banner fixed at the
// bottom (it covers the page, never moves it: no layout shift), text only, in the page's font with native
// link and button styles.
import type { Message } from './types.js'

/** Only links that cannot run script: http(s), or a path on this site. */
export const safeLink = (url: unknown): boolean => /^(https?:|\/)/i.test(url as string)

/** Shows a message; `track` records 'Message Shown', 'Message Clicked' and 'Message Dismissed'. */
export function showBanner(doc: Document, message: Message, track: (event: string) => void): void {
  const box = doc.createElement('div')
  const add = <K extends keyof HTMLElementTagNameMap>(tag: K, text?: string) => {
    const element = doc.createElement(tag)
    // Text only; a missing text (undefined) sets no text.
    element.textContent = text as string
    box.append(element)
    return element
  }
  // role=status is a polite live region: screen readers announce the banner without moving focus.
  box.setAttribute('role', 'status')
  // Set through CSSOM, which a CSP without 'unsafe-inline' styles still allows.
  box.style.cssText =
    'position:fixed;inset:auto 0 0;z-index:2147483647;display:flex;gap:1em;align-items:center;padding:1em;background:#fff;color:#111;box-shadow:0 0 9px #0004'
  doc.body.append(box)
  add('b', message.title)
  add('span', message.body)
  const cta = message.cta
  if (cta && safeLink(cta.url)) {
    const link = add('a', cta.label)
    link.href = cta.url
    link.onclick = () => track('Message Clicked')
  }
  add('button', 'Dismiss').onclick = () => {
    box.remove()
    track('Message Dismissed')
  }
  track('Message Shown')
}
