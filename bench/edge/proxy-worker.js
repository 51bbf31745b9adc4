// The bare pass-through proxy: the least any edge Worker in front of an origin can do.
export default {
  fetch(request, env) {
    const incoming = new URL(request.url)
    const target = new URL(incoming.pathname + incoming.search, env.ORIGIN)
    return fetch(new Request(target, request))
  },
}
