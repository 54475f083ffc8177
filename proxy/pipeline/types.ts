// What a pipeline stage is: `{ name, build }`. `build` runs at config load, once per route and
// stage, and returns the handler for that route, or null where the stage does not apply (so a
// disabled feature costs nothing per request: the route's handler array simply lacks it).
import type { JwtKeyStore } from '../auth/jwt/keys.js'
import type { ApiConfig, CanaryConfig, GatewayConfig, RouteConfig, StageConfig } from '../config/schema.js'
import type { RequestContext } from '../context.js'
import type { CompiledIntegration } from '../integrations/compile.js'
import type { MeteringIndex } from '../metering/index.js'

/**
 * What a handler that cannot finish at once returns: a promise, or an object that calls one of
 * the two functions given to `then`, once (the meter stage's pending decision on Redis: no
 * promise per request). The pipeline goes on, or fails, when it does (run.ts).
 */
export interface Pending {
  then(resume: () => void, fail: (err: unknown) => void): unknown
}

export type Handler = (ctx: RequestContext) => void | Pending

/** `pending` as a promise, for wrappers that chain on it (a promise is returned as it is). */
export function asPromise(pending: Pending): Promise<void> {
  return pending instanceof Promise ? (pending as Promise<void>) : new Promise<void>((resolve, reject) => pending.then(resolve, reject))
}

export interface StageInput {
  readonly api: ApiConfig
  readonly stage: StageConfig
  /**
   * On the canary side of a stage: the stage's canary settings (its revision, useStageCache);
   * `stage` then carries the canary's revision and variables. Null (or absent) on the stage side.
   */
  readonly canary?: CanaryConfig | null
  readonly route: RouteConfig
  readonly integration: CompiledIntegration
  /** Keys, plans and throttles of the whole config, built once per config (metering/index.ts). */
  readonly metering: MeteringIndex
  /** The whole config (account-wide settings: ARN region/account, IAM identities). */
  readonly gateway: GatewayConfig
  /** JWT signing keys of the gateway process (JWT, COGNITO_USER_POOLS routes); kept across configs. */
  readonly jwtKeys?: JwtKeyStore
  /**
   * The revision part of this route's cache keys (pipeline/cache.ts): a canary's revision when
   * the canary keeps its own entries (useStageCache false). Absent: '' (the stage's entries).
   */
  readonly cacheRevision?: string
}

export interface PipelineStage {
  readonly name: string
  build(input: StageInput): Handler | null
}
