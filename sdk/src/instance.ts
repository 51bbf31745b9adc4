// The ESM functions init, page, track… act on one default instance, created by init(); calls made
// before init wait for it, like the script tag's stub queue.
import { showMessage } from './banner.js'
import { createCommands } from './commands.js'
import type { CairnOptions, Experience, IdentifyOptions, Message, MessageListener, Properties, TrackOptions } from './types.js'

const run = /* @__PURE__ */ createCommands()

/** Without a listener, in-app messages show with the built-in renderer (bundled here: no chunk for ESM). */
export const init = (options: CairnOptions): void =>
  run('init', {
    messages: (message: Message) => showMessage(document, message, (event) => track(event, { messageId: message.id })),
    ...options,
  })
export const page = (properties?: Properties): void => run('page', properties)
export const track = (name: string, properties?: Properties, options?: TrackOptions): void =>
  run('track', name, properties, options)
export const identify = (userId: string | null, traits?: Properties, options?: IdentifyOptions): void =>
  run('identify', userId, traits, options)
export const reset = (): void => run('reset')
export const consent = (choice: 'granted' | 'denied'): void => run('consent', choice)
export const ready = (callback: (experiences: Experience[]) => void): void => run('ready', callback)
export const on = (name: 'message', callback: MessageListener): void => run('on', name, callback)
