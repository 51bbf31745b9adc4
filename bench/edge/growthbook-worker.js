// GrowthBook's edge app as its docs deploy it (@growthbook/edge-cloudflare's example/index.ts).
import { handleRequest } from '@growthbook/edge-cloudflare'

export default {
  fetch(request, env) {
    return handleRequest(request, env)
  },
}
