// What the cache stage leaves on the request context for respond (ctx.cache): whether to add
// the invalidation warning header, and where to record the method response of a miss.
import type { CachedResponse } from './codec.js'

/** SUCCEED_WITH_RESPONSE_HEADER: the header added when an unauthorized Cache-Control: max-age=0 was ignored. */
export const INVALIDATION_WARNING_HEADER = 'Warning'
export const INVALIDATION_WARNING = '199 - "Cache-Control: max-age=0 ignored: not authorized to invalidate the cache (execute-api:InvalidateCache)"'

export interface CacheMiss {
  /** Add the invalidation warning header to the response. */
  readonly warn: boolean
  /** Records the method response (respond calls it with the body it writes); null: do not record. */
  readonly fill: ((entry: CachedResponse) => void) | null
}
