// The body pipe: the pass-through proxy with the page's body sent on through a native stream
// (IdentityTransformStream), its bytes unchanged. No parser, no JavaScript per chunk: the least any Worker
// that touches a page's bytes (to rewrite, inject or buffer them) pays over handing the origin's body back.
export default {
  async fetch(request, env, ctx) {
    const incoming = new URL(request.url)
    const target = new URL(incoming.pathname + incoming.search, env.ORIGIN)
    const answer = await fetch(new Request(target, request))
    if (!answer.body) return answer
    const pipe = new IdentityTransformStream()
    ctx.waitUntil(answer.body.pipeTo(pipe.writable))
    const headers = new Headers(answer.headers)
    headers.delete('content-length')
    return new Response(pipe.readable, { status: answer.status, statusText: answer.statusText, headers })
  },
}
