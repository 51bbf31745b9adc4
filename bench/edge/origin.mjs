// The origin site behind every edge Worker in the bench, in its own process (its CPU is not a Worker's):
// a ~10 KB page, a ~300 KB page, a slowly streamed page, and GrowthBook's feature payload.
// Usage: node bench/edge/origin.mjs <port> — prints "listening <port>" once ready.
import { createServer } from 'node:http'

export const HEADLINE = 'Default headline'
export const VARIANT_HEADLINE = 'Edge bench headline'
/** The slow page: its head right away, then a chunk every SLOW_CHUNK_MS (the origin renders as it goes). */
export const SLOW = { chunks: 4, chunkMs: 40 }

const paragraph = (i) => `<p class="copy">Paragraph ${i}: pipelines, follow-ups and lead scores for teams that sell, with a little filler so the text has weight.</p>\n`
const head = (title) =>
  `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>${title}</title><meta name="viewport" content="width=device-width"><link rel="stylesheet" href="/site.css"></head><body>\n<header><nav><a href="/">Home</a> <a href="/pricing">Pricing</a></nav></header>\n<main><h1 data-cairn-slot="headline">${HEADLINE}</h1><p data-cairn-slot="subheadline">Default subheadline</p><a data-cairn-slot="cta" href="/signup">Start free</a>\n`
const tail = '</main><footer>Acme Inc.</footer></body></html>\n'

function page(title, bytes) {
  let html = head(title)
  for (let i = 0; html.length < bytes - tail.length; i++) html += paragraph(i)
  return html + tail
}

const PAGES = { '/small': page('Small', 10_000), '/large': page('Large', 300_000) }

/** GrowthBook's payload: one visual-editor experiment on the matching URL, everyone in the variant. */
export const GROWTHBOOK_PAYLOAD = {
  status: 200,
  features: {},
  dateUpdated: '2026-01-01T00:00:00Z',
  experiments: [
    {
      key: 'edge-bench',
      changeId: 'edge-bench-1',
      hashAttribute: 'id',
      hashVersion: 2,
      urlPatterns: [{ type: 'regex', include: true, pattern: 'utm_campaign=edge-bench' }],
      weights: [0, 1],
      coverage: 1,
      variations: [
        { css: '', js: '', domMutations: [] },
        { css: '', js: '', domMutations: [{ selector: 'h1[data-cairn-slot="headline"]', action: 'set', attribute: 'html', value: VARIANT_HEADLINE }] },
      ],
    },
  ],
}

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms))

async function slowPage(res) {
  res.writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' })
  res.write(head('Slow'))
  for (let c = 0; c < SLOW.chunks; c++) {
    await sleep(SLOW.chunkMs)
    let chunk = ''
    for (let i = 0; i < 12; i++) chunk += paragraph(c * 12 + i)
    res.write(chunk)
  }
  res.end(tail)
}

export function startOrigin(port) {
  const server = createServer((req, res) => {
    const path = new URL(req.url, 'http://origin').pathname
    if (path === '/healthz') return res.end('ok')
    if (path.startsWith('/api/features/')) {
      res.writeHead(200, { 'content-type': 'application/json' })
      return res.end(JSON.stringify(GROWTHBOOK_PAYLOAD))
    }
    if (path === '/slow') return void slowPage(res)
    const html = PAGES[path]
    if (!html) {
      res.writeHead(404, { 'content-type': 'text/plain' })
      return res.end('not found')
    }
    res.writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'content-length': Buffer.byteLength(html), 'cache-control': 'no-store' })
    res.end(html)
  })
  server.keepAliveTimeout = 30_000
  return new Promise((resolve) => server.listen(port, '127.0.0.1', () => resolve(server)))
}

if (process.argv[1] && import.meta.url.endsWith(process.argv[1].split('/').pop())) {
  const port = Number(process.argv[2])
  await startOrigin(port)
  console.log(`listening ${port}`)
}
