// The script-tag entry: <script async src="https://EDGE/sdk.js" data-site="pk_demo">. Reads its own tag,
// replaces the window.cairn stub with the real function and replays the stub's queued calls.
import { createCommands, type Command } from './commands.js'
import { CORE_MARK } from './protocol.js'

type Stub = Command & { q?: ArrayLike<unknown>[]; cairn?: number }

const w = window as unknown as { cairn?: Stub }
// Loaded twice: the first copy keeps the page.
if (!w.cairn?.cairn) {
  const script = document.currentScript as HTMLScriptElement | null
  const data = script?.dataset
  const queued = w.cairn?.q || []
  const run: Stub = createCommands()
  run.cairn = CORE_MARK
  w.cairn = run
  for (const call of queued) run(...(Array.from(call) as [string]))
  if (data?.site)
    run('init', {
      site: data.site,
      // The endpoint defaults to the origin that served this script (the Worker).
      api: data.api || new URL(script!.src).origin,
      consent: data.consent,
      auto: data.auto != 'false',
      // The lazy chunk sits next to this script: /sdk.js → /sdk-vitals.js.
      vitals: data.vitals != 'false' && new URL('sdk-vitals.js', script!.src).href,
      // The message renderer too, loaded only when a message arrives that no listener takes.
      messages: new URL('sdk-messages.js', script!.src).href,
    })
}
