// The command form cairn('name', ...args) shared by the script tag and the ESM default instance: calls
// made before 'init' wait and are replayed in order once it runs.
import { createClient } from './client.js'
import { safe } from './safe.js'
import type { Cairn, CairnOptions } from './types.js'

export type Command = (name: string, ...args: unknown[]) => void

export function createCommands(): Command {
  let cairn: Cairn | undefined
  const early: unknown[][] = []
  const run: Command = safe((name: string, ...args: unknown[]) => {
    if (cairn) return (cairn as unknown as Record<string, (...a: unknown[]) => void>)[name]?.(...args)
    // Bounded: where init never runs (server-side rendering: no window), calls must not pile up for ever.
    if (name != 'init') return early.length < 250 && early.push([name, ...args])
    const [instance, start] = createClient(args[0] as CairnOptions)
    cairn = instance
    // Consent calls made before load apply before the first page view, so a queued 'denied' sends nothing;
    // listeners too, so a message edge mode delivers at start reaches the site's on('message'), not the renderer.
    const isFirst = (call: unknown[]) => call[0] == 'consent' || call[0] == 'on'
    const replay = (calls: unknown[][]) => calls.forEach((call) => run(...(call as [string])))
    replay(early.filter(isFirst))
    start()
    replay(early.filter((call) => !isFirst(call)))
  })
  return run
}
