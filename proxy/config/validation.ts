// The request validation part of the GatewayConfig contract (REST APIs only): the models of a
// revision (`RevisionConfig.models`) and a route's validator (`RouteConfig.validation`),
// compiled from the Api's `spec.models`, `spec.requestValidators`, `route.requestValidator` and
// `route.requestModels` by operator/compile/validation.ts, enforced by the proxy's validate
// stage (proxy/pipeline/validate.ts, proxy/validation/). docs/request-validation.md is the
// user guide.
//
// Models live in the revision, not the Api: a revision is an immutable snapshot, and the routes
// it holds validate against the models as they were when it was made (a deployment on AWS
// snapshots the models too). A revision carries only the models its routes use, directly or
// through `$ref`, so editing an unused model changes nothing.
import { Type, type Static } from '@sinclair/typebox'

/** One model: a JSON Schema (draft 4). */
export const ModelConfig = Type.Object({
  /**
   * The schema as written in the Api (a JSON string there is parsed by the compiler). A `$ref`
   * to another model has API Gateway's canonical form
   * "https://apigateway.amazonaws.com/restapis/{restapi_id}/models/{ModelName}" (any restapi_id:
   * a model can only reference models of its own Api), optionally followed by "#/pointer";
   * "#/..." refers inside the model itself. The compiler has checked that the schema compiles
   * and that every model it references is in the same `models` map.
   */
  schema: Type.Unknown(),
})
export type ModelConfig = Static<typeof ModelConfig>

/**
 * A route's request validator (`route.requestValidator`, resolved). Absent: the route has no
 * validator, nothing is checked (also when it has requestModels or required parameters).
 */
export const ValidationConfig = Type.Object({
  /** Name of the entry of `spec.requestValidators` (logs, provenance). */
  validator: Type.String(),
  /**
   * validateRequestBody: the body must match the model of its content type (`models`). 400
   * BAD_REQUEST_BODY `{"message": "Invalid request body"}` otherwise.
   */
  body: Type.Boolean(),
  /**
   * validateRequestParameters: every `requestParameters` entry set to true must be present and
   * not blank. 400 BAD_REQUEST_PARAMETERS `{"message": "Missing required request parameters: [a, b]"}` otherwise.
   */
  parameters: Type.Boolean(),
  /**
   * Content type (lower case media type, or "$default") → model name (a key of the revision's
   * `models`). The request's media type (application/json when it sends no Content-Type) picks
   * one, else "$default"; none: the body is not validated.
   */
  models: Type.Record(Type.String(), Type.String()),
})
export type ValidationConfig = Static<typeof ValidationConfig>
