// The built-in in-app message renderer, used when no on('message') listener exists (lazy chunk
// sdk-messages.js for the script tag): text only, in the page's font with native link and button styles.
// A banner is fixed at the bottom (it covers the page, never moves it: no layout shift); a modal is a
// native <dialog> shown with showModal (focus moves in, Escape closes, focus goes back).
import type { Message } from './types.js'

/** Only links that cannot run script: http(s), or a path on this site. */
export const safeLink = (url: unknown): boolean => /^(https?:|\/)/i.test(url as string)

/** Shows a message; `track` records 'Message Shown', 'Message Clicked' and 'Message Dismissed'. */
export function showMessage(doc: Document, message: Message, track: (event: string) => void): void {
  const modal = message.kind == 'modal'
  const box = doc.createElement(modal ? 'dialog' : 'div')
  const add = <K extends keyof HTMLElementTagNameMap>(tag: K, text?: string) => {
    const element = doc.createElement(tag)
    // Text only; a missing text (undefined) sets no text.
    element.textContent = text as string
    box.append(element)
    return element
  }
  // Set through CSSOM, which a CSP without 'unsafe-inline' styles still allows.
  box.style.cssText = modal
    ? 'max-width:30em;padding:1.5em;border:0;background:#fff;color:#111;box-shadow:0 0 9px #0004'
    : 'position:fixed;inset:auto 0 0;z-index:2147483647;display:flex;gap:1em;align-items:center;padding:1em;background:#fff;color:#111;box-shadow:0 0 9px #0004'
  const title = add(modal ? 'h2' : 'b', message.title)
  add(modal ? 'p' : 'span', message.body)
  const cta = message.cta
  if (cta && safeLink(cta.url)) {
    const link = add('a', cta.label)
    link.href = cta.url
    link.onclick = () => track('Message Clicked')
  }
  const dismiss = add('button', 'Dismiss')
  doc.body.append(box)
  if (modal) {
    const dialog = box as HTMLDialogElement
    const back = doc.activeElement as HTMLElement | null
    // The dialog is named by its title; its Dismiss button closes it the way Escape does.
    title.id = 'cairn-' + message.id
    dialog.setAttribute('aria-labelledby', title.id)
    dismiss.onclick = () => dialog.close()
    // Inline link and button: keep them apart (the banner's flex gap does this for it).
    dismiss.style.marginLeft = '1em'
    dialog.onclose = () => {
      dialog.remove()
      back && back.focus && back.focus()
      track('Message Dismissed')
    }
    dialog.showModal()
  } else {
    // role=status is a polite live region: screen readers announce the banner without moving focus.
    box.setAttribute('role', 'status')
    dismiss.onclick = () => {
      box.remove()
      track('Message Dismissed')
    }
  }
  track('Message Shown')
}
