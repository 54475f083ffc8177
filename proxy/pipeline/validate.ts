// validate: the route's request validator (REST APIs) — required parameters, then the body
// against the model of its content type. After meter (an invalid request still counts against
// throttles and quotas, as on AWS), before any integration work.
//
// Built per route and stage (at config load), null unless the route has a validator that
// checks something: no validator, or one whose checks have nothing to check (no required
// parameter, no model), costs nothing per request. The models of a revision are compiled once
// (ajv, proxy/validation/models.ts) and shared by its routes on every stage.
//
//   - parameters: 400 BAD_REQUEST_PARAMETERS, {"message": "Missing required request parameters: [a, b]"};
//   - body: the media type of Content-Type (application/json without one) picks a model, else the
//     "$default" model; none: no body check. The body is read once into ctx.body (the integration
//     sends it on), an empty one counts as {}; not JSON, or not matching: 400 BAD_REQUEST_BODY,
//     {"message": "Invalid request body"}. $context.error.validationErrorString says why
//     (proxy/validation/explain.ts).
import type { RequestContext } from '../context.js'
import type { RevisionConfig } from '../config/schema.js'
import { GatewayError } from '../errors.js'
import { bufferRequestBody, hasBody } from '../integrations/request-body.js'
import { mediaType } from '../integrations/templates.js'
import { explain, validationErrorString } from '../validation/explain.js'
import { compileModels, type CompiledModels } from '../validation/models.js'
import { missingParameters, requiredParameters } from '../validation/parameters.js'
import type { ValidateFunction } from 'ajv'
import type { Handler, PipelineStage } from './types.js'

// A revision's compiled models, shared by its routes on every stage. Keyed by the (immutable)
// revision object of one config: a new config compiles anew, an old one's entry goes with it.
const compiled = new WeakMap<RevisionConfig, CompiledModels>()

function modelsOf(revision: RevisionConfig): CompiledModels {
  let models = compiled.get(revision)
  if (models === undefined) {
    models = compileModels(revision.models ?? {})
    compiled.set(revision, models)
  }
  return models
}

interface BodyModel {
  readonly name: string
  readonly validate: ValidateFunction
}

function badParameters(missing: readonly string[]): GatewayError {
  const message = `Missing required request parameters: [${missing.join(', ')}]`
  return new GatewayError('TG_ERR_BAD_REQUEST_PARAMETERS', 'BAD_REQUEST_PARAMETERS', 'missing required request parameters', message, message)
}

function badBody(model: string, validationError: string): GatewayError {
  return new GatewayError('TG_ERR_BAD_REQUEST_BODY', 'BAD_REQUEST_BODY', `request body does not match model ${model}`, undefined, validationError)
}

async function checkBody(ctx: RequestContext, model: BodyModel, models: CompiledModels): Promise<void> {
  const text = hasBody(ctx) ? (await bufferRequestBody(ctx)).toString('utf8') : ''
  let value: unknown
  try {
    value = text === '' ? {} : JSON.parse(text)
  } catch (err) {
    throw badBody(model.name, validationErrorString([`request body is not valid JSON: ${(err as Error).message}`]))
  }
  let valid: boolean
  try {
    valid = model.validate(value) as boolean
  } catch (err) {
    // A body nested deeper than a recursive model can follow (the stack runs out): refused.
    if (err instanceof RangeError) throw badBody(model.name, validationErrorString(['instance is nested too deeply']))
    throw err
  }
  if (valid) return
  let messages: string[]
  try {
    messages = explain((name) => models.schema(name), model.name, value)
  } catch (err) {
    if (!(err instanceof RangeError)) throw err
    messages = []
  }
  if (messages.length === 0) messages = (model.validate.errors ?? []).map((e) => `${e.instancePath || '/'} ${e.message ?? 'is invalid'}`)
  throw badBody(model.name, validationErrorString(messages))
}

export const validate: PipelineStage = {
  name: 'validate',
  build({ api, stage, route }): Handler | null {
    const validation = route.validation
    if (validation === undefined) return null
    const required = validation.parameters ? requiredParameters(route.requestParameters) : []

    const byType = new Map<string, BodyModel>()
    let fallback: BodyModel | null = null
    let models: CompiledModels | null = null
    if (validation.body && Object.keys(validation.models).length > 0) {
      const revision = api.revisions.find((r) => r.id === stage.revision)
      if (revision === undefined) throw new Error(`unknown revision ${stage.revision}`)
      models = modelsOf(revision)
      for (const [contentType, name] of Object.entries(validation.models)) {
        const model = { name, validate: models.validator(name) }
        if (contentType === '$default') fallback = model
        else byType.set(mediaType(contentType), model)
      }
    }
    if (required.length === 0 && models === null) return null

    return (ctx) => {
      if (required.length > 0) {
        const missing = missingParameters(ctx, required)
        if (missing.length > 0) throw badParameters(missing)
      }
      if (models === null) return
      const header = ctx.req.headers['content-type']
      const model = byType.get(header === undefined ? 'application/json' : mediaType(header)) ?? fallback
      if (model === null) return
      return checkBody(ctx, model, models)
    }
  },
}
