// Slots: elements marked data-cairn-slot="NAME" whose content a decision replaces with a safe HTML fragment. Pending slots are held
// invisible by one style rule (their space is kept: no layout shift); data-cairn-done releases a slot.
import { isSafeFragment } from '../../contract/slots.js'

const SLOT = '[data-cairn-slot]'

/** Runs `then` once the document is parsed (at once if it is): slots and <body> are all there. */
export const whenParsed = (doc: Document, then: () => void): void =>
  doc.readyState == 'loading' ? doc.addEventListener('DOMContentLoaded', then) : then()

/** Holds every slot not yet done invisible, including slots parsed later; answers the rule's element. */
export function holdSlots(doc: Document): HTMLStyleElement {
  const style = doc.createElement('style')
  style.textContent = SLOT + ':not([data-cairn-done]){visibility:hidden}'
  doc.head.append(style)
  return style
}


/**
 * Fills the slots present from a decision, keeps the default of the others, and marks them all done.
 * Without a decision, only marks them done.
 */
export function fillSlots(doc: Document, slots?: Record<string, unknown>): void {
  doc.querySelectorAll<HTMLElement>(SLOT).forEach((slot) => {
    const value = slots?.[slot.dataset.cairnSlot!]
    // Rewriting the same content would still replace the nodes (selection, host scripts' references).
    if (typeof value == 'string' && slot.innerHTML != value) {
      // A slot value is an HTML fragment (bare inline tags, escaped visitor values); anything else that
      // looks like markup is refused here too and shown as text: the page never parses markup it did not allow.
      if (isSafeFragment(value)) slot.innerHTML = value
      else slot.textContent = value
    }
    slot.dataset.cairnDone = ''
  })
}
