// cors: decides the CORS headers of the response to this request (proxy/cors.ts) and leaves
// them in ctx.corsHeaders; respond (method responses), the proxy call (HTTP_PROXY) and the
// gateway responses (errors after this point) write them. Built only for APIs with `cors` in
// their config: an API without CORS has no handler here and pays nothing.
//
// Preflights are not answered here. HTTP APIs answer them in handle-request.ts, before routing
// (a preflight is about a resource, not a route: it must be answered where no route matches
// OPTIONS, and before any authorizer, since it carries no credentials). REST APIs route them
// to OPTIONS MOCK routes (the compiler adds one per resource from spec.cors); on those this
// stage adds Allow-Origin like on any response.
//
// HOT PATH — change with care: one call per request of an API with CORS.
import { corsPolicy } from '../cors.js'
import type { PipelineStage } from './types.js'

export const cors: PipelineStage = {
  name: 'cors',
  build({ api }) {
    const policy = corsPolicy(api)
    if (policy === null) return null
    return (ctx) => {
      ctx.corsHeaders = policy.actual(ctx.req.headers.origin)
    }
  },
}
