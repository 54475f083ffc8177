// route: the router (router.ts) has already chosen this route before its chain runs; this stage
// delivers what the match captured. Built only for routes with path parameters: it sets
// ctx.pathParams (percent-decoded, for mappings) and ctx.rawPathParams (normalized and still
// encoded, for backend URIs, so `{proxy}` forwards "a%2Fb" as one segment).
//
// HOT PATH — change with care: runs for every request of a route with parameters.
import type { PipelineStage } from './types.js'

export const route: PipelineStage = {
  name: 'route',
  build({ integration }) {
    if (integration.pathParams.size === 0) return null
    return (ctx) => {
      const { raw, decoded, names, spans } = ctx.segments
      const params: Record<string, string> = {}
      const rawParams: Record<string, string> = {}
      for (let k = 0; k < names.length; k++) {
        const from = spans[2 * k]!
        const to = spans[2 * k + 1]!
        const name = names[k]!
        if (to - from === 1) {
          params[name] = decoded[from]!
          rawParams[name] = raw[from]!
        } else {
          params[name] = decoded.slice(from, to).join('/')
          rawParams[name] = raw.slice(from, to).join('/')
        }
      }
      ctx.pathParams = params
      ctx.rawPathParams = rawParams
    }
  },
}
