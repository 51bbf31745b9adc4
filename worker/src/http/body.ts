// Reads a request body as text with a hard byte cap, without trusting Content-Length.
const decoder = () => new TextDecoder('utf-8')

/** The body as text, or null when it is over `limit` bytes (checked before and while reading). */
export async function readBodyText(request: Request, limit: number): Promise<string | null> {
  const declared = Number(request.headers.get('content-length') ?? '0')
  if (declared > limit) return null
  if (!request.body) return ''
  const reader = request.body.getReader()
  const chunks: Uint8Array[] = []
  let size = 0
  for (;;) {
    const { done, value } = await reader.read()
    if (done) break
    size += value.byteLength
    if (size > limit) {
      await reader.cancel()
      return null
    }
    chunks.push(value)
  }
  const text = decoder()
  return chunks.map((chunk, i) => text.decode(chunk, { stream: i < chunks.length - 1 })).join('')
}
