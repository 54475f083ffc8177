// A Stage's tracing: spec.tracingEnabled (API Gateway's stage setting of the same name, which
// turns on X-Ray active tracing) compiles to StageConfig.tracing (proxy/config/tracing.ts), and
// the proxy traces the stage's requests with OpenTelemetry (docs/tracing.md). Written only when
// true, so stages without tracing compile to the bytes they compiled to before.
//
// AWS traces REST API stages only; Tollgate traces HTTP API stages the same way (nothing in the
// request path differs), so the field is taken on both.
import type { StageSpec } from '../../crds/stage.js'
import type { StageTracingConfig } from '../../proxy/config/schema.js'

export function compileStageTracing(spec: StageSpec): StageTracingConfig | undefined {
  return spec.tracingEnabled === true ? { enabled: true } : undefined
}
