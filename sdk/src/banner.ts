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
  // A modal is a centred dialog that takes focus and closes on Escape; a banner a polite live region.
  const modal = message.kind == 'modal'
  box.setAttribute('role', modal ? 'dialog' : 'status')
  // Set through CSSOM, which a CSP without 'unsafe-inline' styles still allows.
  box.style.cssText =
    (modal ? 'position:fixed;top:30%;left:50%;transform:translate(-50%);max-width:30em;flex-wrap:wrap;' : 'position:fixed;inset:auto 0 0;') +
    'z-index:2147483647;display:flex;gap:1em;align-items:center;padding:1em;background:#fff;color:#111;box-shadow:0 0 9px #0004'
  doc.body.append(box)
  add('b', message.title)
  add('span', message.body)
  const cta = message.cta
  if (cta && safeLink(cta.url)) {
    const link = add('a', cta.label)
    link.href = cta.url
    link.onclick = () => track('Message Clicked')
  }
  const dismiss = add('button', 'Dismiss')
  dismiss.onclick = () => {
    box.remove()
    track('Message Dismissed')
  }
  if (modal) {
    box.setAttribute('aria-modal', 'true')
    box.onkeydown = (event) => event.key == 'Escape' && dismiss.click()
    dismiss.focus()
  }
  track('Message Shown')
}
