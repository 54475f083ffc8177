// The runtime built from a GatewayConfig (build.ts): everything a request needs, precompiled.
// Immutable once built; a config change builds a new one and swaps the reference.
import type { GatewayConfig, RouteConfig, StageConfig } from './config/schema.js'
import type { CorsPolicy } from './cors.js'
import type { GatewayResponses } from './gateway-responses.js'
import type { HostMatcher } from './host.js'
import type { Handler } from './pipeline/types.js'
import type { Router } from './router.js'
import type { MeteringIndex } from './metering/index.js'

export interface RouteRuntime {
  /** Route key ("GET /pets/{petId}", "$default"): the resource label of logs and metrics. */
  readonly key: string
  readonly config: RouteConfig
  /** $context.resourceId: the id of the route's resource path (resource-id.ts). */
  readonly resourceId: string
  /** The pipeline of this route on this stage, in the order of pipeline/order.ts. */
  readonly handlers: readonly Handler[]
  /** Labels of its request metrics on this stage, prebuilt (telemetry/metrics-labels.ts). */
  readonly metricLabels: string
}

export interface StageRuntime {
  readonly name: string
  readonly api: ApiRuntime
  /** Id of the revision this side serves. */
  readonly revision: string
  /**
   * Which side of the stage this is: 'stage' (the base release), or 'canary' (the canary
   * release of a stage with canary settings). `ctx.stage.side` says which side served a request.
   */
  readonly side: 'stage' | 'canary'
  /** The base side of a stage with a canary: the share of requests the canary serves, and its side. Else null. */
  readonly canary: CanarySplit | null
  readonly variables: Readonly<Record<string, string>>
  /** The stage's config node (this side's revision and variables): what observers read (logging, metrics, tracing). */
  readonly config: StageConfig
  /** Router of the stage's revision (shared by the stages serving it); values index `routes`. */
  readonly router: Router<number>
  readonly routes: readonly RouteRuntime[]
  /** HTTP APIs: the `$default` route, which catches what no other route matches. */
  readonly defaultRoute: RouteRuntime | null
  /**
   * Gateway responses and CORS policy once the stage is known: those deployed with this side's
   * revision (RevisionConfig.settings), else the API's (the same objects as ApiRuntime's).
   */
  readonly responses: GatewayResponses
  readonly cors: CorsPolicy | null
  /** Labels of the stage's own request metrics (method and resource ''), prebuilt (telemetry/metrics-labels.ts). */
  readonly metricLabels: string
}

export interface CanarySplit {
  /** Percentage of the stage's requests, 0.0 to 100.0, sent to `stage`. */
  readonly percentTraffic: number
  /** The canary side: its own revision's routes and the canary variables, the stage's name. */
  readonly stage: StageRuntime
  /** Canary responses use the stage's cache entries. */
  readonly useStageCache: boolean
}

export interface ApiRuntime {
  readonly id: string
  readonly name: string
  readonly protocol: 'REST' | 'HTTP' | 'WEBSOCKET'
  /** False when disableExecuteApiEndpoint is set (or for WebSocket APIs, served elsewhere). */
  readonly served: boolean
  /** endpointType PRIVATE: served on the private (in-cluster) listener only. */
  readonly private: boolean
  /** Stages by name, without the `$default` stage. */
  readonly stages: ReadonlyMap<string, StageRuntime>
  /** HTTP APIs: the `$default` stage, served at the root. */
  readonly defaultStage: StageRuntime | null
  /** Gateway responses before the stage is known (the Api's current spec); StageRuntime.responses after. */
  readonly responses: GatewayResponses
  /** The API's CORS policy (cors.ts), before the stage is known; null without a CORS configuration. */
  readonly cors: CorsPolicy | null
}

export interface Runtime {
  readonly config: GatewayConfig
  /** Keys, plans, domains (metering/index.ts): what the meter stage and the usage API read. */
  readonly metering: MeteringIndex
  readonly hosts: HostMatcher
  /** APIs by lower-cased id. */
  readonly apis: ReadonlyMap<string, ApiRuntime>
  /** Upstream origins the runtime's integrations call: the pools it holds. */
  readonly origins: ReadonlySet<string>
  /** Gateway responses before an API is known (REST's set). */
  readonly responses: GatewayResponses
  /** Routes that could not be built (they answer 500); reported when the config is applied. */
  readonly problems: readonly string[]
}
