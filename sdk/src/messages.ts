// The lazy in-app message chunk (dist/cairn-messages.js, served as /sdk-messages.js next to /sdk.js). The
// core loads it when a message arrives and no on('message') listener exists; it registers itself as the
// listener through window.cairn (the core then hands it the messages that waited), and tracks through it.
import { showMessage } from './banner.js'
import type { Message } from './types.js'

try {
  const cairn = (window as unknown as { cairn?: (name: string, ...args: unknown[]) => void }).cairn
  if (typeof cairn == 'function')
    cairn('on', 'message', (message: Message) =>
      showMessage(document, message, (event) => cairn('track', event, { messageId: message.id })),
    )
} catch {}
