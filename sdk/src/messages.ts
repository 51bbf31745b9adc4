// The lazy in-app message chunk (dist/cairn-messages.js, served as /sdk-messages.js next to /sdk.js). The
// core loads it when a message arrives and no on('message') listener exists; it registers itself through
// window.cairn for 'render' — the messages no on('message') listener takes, those that waited included —
// and tracks through it.
import { showMessage } from './banner.js'
import { CORE_MARK } from './protocol.js'
import type { Message } from './types.js'

try {
  const cairn = (window as unknown as { cairn?: ((name: string, ...args: unknown[]) => void) & { cairn?: number } }).cairn
  if (typeof cairn == 'function')
    // A core cached from before 'render' (mark 1) hands every message to 'message' listeners.
    cairn('on', cairn.cairn! >= CORE_MARK ? 'render' : 'message', (message: Message) =>
      showMessage(document, message, (event) => cairn('track', event, { messageId: message.id })),
    )
} catch {}
