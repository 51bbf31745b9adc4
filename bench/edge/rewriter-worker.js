// The bare rewriter: the pass-through proxy plus the one HTMLRewriter fill edge mode makes on a matching
// URL (the headline slot set, <html> marked), with no decision, no cookie and no exposure. The least any
// Worker that personalizes a streamed page with HTMLRewriter can cost: the floor under edge mode's cells.
export default {
  async fetch(request, env) {
    const incoming = new URL(request.url)
    const target = new URL(incoming.pathname + incoming.search, env.ORIGIN)
    const answer = await fetch(new Request(target, request))
    if (!/utm_campaign=edge-bench/.test(incoming.search) || !(answer.headers.get('content-type') ?? '').includes('text/html')) return answer
    return new HTMLRewriter()
      .on('html', {
        element(element) {
          element.setAttribute('data-cairn-edge', 'bench:variant')
        },
      })
      .on('[data-cairn-slot]', {
        element(element) {
          if (element.getAttribute('data-cairn-slot') === 'headline') element.setInnerContent(env.VARIANT_HEADLINE, { html: true })
          element.setAttribute('data-cairn-done', '')
        },
      })
      .transform(answer)
  },
}
