// Marks a page `<html data-cairn-edge="…">` without an HTML parser: for pages where the decision fills no
// slot, the marker is the only change, so the first bytes are scanned for `<html` and the rest of the
// body is piped through untouched (natively, no JS per chunk). The SDK reads the marker and does not ask again.

/** Bytes read looking for `<html` before handing the page to the full rewriter instead. */
export const MARKER_SCAN_LIMIT = 16 * 1024

const encoder = new TextEncoder()
const LT = 0x3c

/** ASCII lower-case of a byte. */
const lower = (byte: number) => (byte >= 0x41 && byte <= 0x5a ? byte | 0x20 : byte)
const NAME = [0x68, 0x74, 0x6d, 0x6c] // "html"

/**
 * The index just after the name of the first `<html` start tag in `bytes` (followed by whitespace, `>` or
 * `/`), or -1 when there is none yet, or -2 when the bytes end mid-tag (read more first).
 */
export function htmlTagNameEnd(bytes: Uint8Array): number {
  for (let i = bytes.indexOf(LT); i !== -1; i = bytes.indexOf(LT, i + 1)) {
    let j = 0
    while (j < 4 && i + 1 + j < bytes.length && lower(bytes[i + 1 + j]!) === NAME[j]) j++
    const end = i + 1 + j
    if (end >= bytes.length) return -2 // every byte left matched so far
    if (j < 4) continue
    const next = bytes[end]!
    if (next === 0x3e || next === 0x2f || next === 0x20 || next === 0x09 || next === 0x0a || next === 0x0c || next === 0x0d) return end
  }
  return -1
}

const concat = (a: Uint8Array, b: Uint8Array): Uint8Array => {
  const out = new Uint8Array(a.length + b.length)
  out.set(a)
  out.set(b, a.length)
  return out
}

/**
 * The page's body with ` data-cairn-edge="applied"` added to its `<html>` tag. `fallback` gets the whole body
 * (bytes already read put back first) when no `<html` tag shows in the first MARKER_SCAN_LIMIT bytes.
 * `background` keeps the copying alive after the response is returned (waitUntil).
 */
export function markEdgePage(
  body: ReadableStream<Uint8Array>,
  applied: string,
  fallback: (body: ReadableStream<Uint8Array>) => ReadableStream<Uint8Array>,
  background: (work: Promise<unknown>) => void,
): ReadableStream<Uint8Array> {
  const { readable, writable } = new IdentityTransformStream()
  const attribute = encoder.encode(` data-cairn-edge="${applied.replace(/[^\w:,-]/g, '')}"`)
  const copy = async () => {
    const reader = body.getReader()
    let head: Uint8Array = new Uint8Array(0)
    for (;;) {
      const { value, done } = await reader.read()
      if (done) {
        // The whole page was shorter than the scan: no `<html>` tag, nothing to mark.
        reader.releaseLock()
        return replay(head, body, writable)
      }
      head = head.length ? concat(head, value) : value
      const at = htmlTagNameEnd(head)
      if (at >= 0) {
        reader.releaseLock()
        return replay(concat(concat(head.subarray(0, at), attribute), head.subarray(at)), body, writable)
      }
      if (head.length > MARKER_SCAN_LIMIT) return copyChunks(fallback(prepended(head, reader)), writable)
    }
  }
  background(copy().catch((error: unknown) => writable.abort(error).catch(() => {})))
  return readable
}

/** Writes `head`, then pipes the rest of `body` (its reader released) natively into `writable`. */
async function replay(head: Uint8Array, body: ReadableStream<Uint8Array>, writable: WritableStream<Uint8Array>): Promise<void> {
  const writer = writable.getWriter()
  if (head.length) await writer.write(head)
  writer.releaseLock()
  await body.pipeTo(writable)
}

/** The bytes already read, then the rest of the reader's stream (the rare fallback: JS per chunk is fine). */
function prepended(head: Uint8Array, reader: ReadableStreamDefaultReader<Uint8Array>): ReadableStream<Uint8Array> {
  let first: Uint8Array | null = head
  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      if (first) {
        controller.enqueue(first)
        first = null
        return
      }
      const { value, done } = await reader.read()
      if (done) controller.close()
      else controller.enqueue(value)
    },
    cancel: (reason) => reader.cancel(reason),
  })
}

/** Copies chunk by chunk (streams of two transforms cannot be piped into each other natively). */
async function copyChunks(from: ReadableStream<Uint8Array>, writable: WritableStream<Uint8Array>): Promise<void> {
  const reader = from.getReader()
  const writer = writable.getWriter()
  for (;;) {
    const { value, done } = await reader.read()
    if (done) return writer.close()
    await writer.write(value)
  }
}
