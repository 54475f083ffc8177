// Request validation of REST APIs (docs/request-validation.md): `spec.models` (JSON Schema
// draft 4, with API Gateway's predefined `Empty` and `Error` models), `spec.requestValidators`,
// and per route `requestValidator` (a name) and `requestModels` (content type → model name).
// A route with a validator gets RouteConfig.validation; the revision gets the models those
// routes use (directly or through `$ref`). Whether a model compiles is decided by the proxy's
// own compiler (proxy/validation/models.ts), so what the compiler accepts the proxy can build.
//
// HTTP APIs have no request validation on AWS: a validator there is refused (a route that looks
// validated but is not would be worse than none), models are reported and ignored.
import { error, warning, type Problem } from '../../crds/problems.js'
import type { ApiSpec, Route } from '../../crds/api.js'
import type { ModelConfig, RouteConfig, ValidationConfig } from '../../proxy/config/schema.js'
import { mediaType } from '../../proxy/integrations/templates.js'
import { modelProblems, usedModels } from '../../proxy/validation/models.js'
import { childField } from './fields.js'

const DRAFT4 = 'http://json-schema.org/draft-04/schema#'

/** The models every REST API has on AWS, unless the Api defines its own under these names. */
export const PREDEFINED_MODELS: Readonly<Record<string, ModelConfig>> = {
  Empty: { schema: { $schema: DRAFT4, title: 'Empty Schema', type: 'object' } },
  Error: { schema: { $schema: DRAFT4, title: 'Error Schema', type: 'object', properties: { message: { type: 'string' } } } },
}

/** What the routes of one Api resolve their validators and models against. */
export interface ValidationIndex {
  readonly protocol: 'REST' | 'HTTP'
  readonly validators: NonNullable<ApiSpec['requestValidators']>
  /** The models defined (predefined ones included), as parsed. */
  readonly models: Readonly<Record<string, ModelConfig>>
  /** Names in spec.models left out of `models` (bad name or schema; reported there, not again by routes). */
  readonly broken: ReadonlySet<string>
}

/** API Gateway: "Model name must be alphanumeric". */
const MODEL_NAME = /^[A-Za-z0-9]+$/
/** A media type (`type/subtype`, no parameters) or "$default". */
const CONTENT_TYPE = /^[A-Za-z0-9!#$&^_.+-]+\/[A-Za-z0-9!#$&^_.+*-]+$/

/** The Api's models and validators, checked; problems name spec.models / spec.requestValidators. */
export function compileValidationIndex(spec: ApiSpec, protocol: 'REST' | 'HTTP'): { index: ValidationIndex; problems: Problem[] } {
  const problems: Problem[] = []
  if (protocol === 'HTTP') {
    if (spec.requestValidators !== undefined) {
      problems.push(error('spec.requestValidators', 'FieldNotApplicable', 'HTTP APIs have no request validation (API Gateway validates requests of REST APIs only)'))
    }
    if (spec.models !== undefined) problems.push(warning('spec.models', 'FieldIgnored', 'HTTP APIs have no request validation: models are not used'))
    return { index: { protocol, validators: {}, models: {}, broken: new Set() }, problems }
  }
  const models: Record<string, ModelConfig> = { ...PREDEFINED_MODELS }
  const broken = new Set<string>()
  for (const [name, model] of Object.entries(spec.models ?? {})) {
    const f = childField('spec.models', name)
    if (!MODEL_NAME.test(name)) {
      problems.push(error(f, 'InvalidModelName', `model name ${JSON.stringify(name)} must be alphanumeric (letters and digits), as in API Gateway`))
      broken.add(name)
      continue
    }
    const schema = parseSchema(model.schema)
    if (schema.error !== undefined) {
      problems.push(error(`${f}.schema`, 'InvalidModelSchema', schema.error))
      broken.add(name)
      continue
    }
    models[name] = { schema: schema.value }
  }
  for (const p of modelProblems(models)) problems.push(error(`${childField('spec.models', p.model)}.schema`, p.reason, p.message))
  return { index: { protocol, validators: spec.requestValidators ?? {}, models, broken }, problems }
}

/** A schema as written: an object, or (as AWS's API and CloudFormation take it) a JSON string. */
function parseSchema(schema: unknown): { value: unknown; error?: undefined } | { value?: undefined; error: string } {
  if (typeof schema !== 'string') return { value: schema }
  try {
    return { value: JSON.parse(schema) as unknown }
  } catch (err) {
    return { error: `the schema is a string that is not JSON: ${(err as Error).message}` }
  }
}

/** A route's validator and body models, resolved; problems name the route's fields (`f` is "spec.routes[i]"). */
export function compileRouteValidation(route: Route, f: string, index: ValidationIndex): { validation?: ValidationConfig; problems: Problem[] } {
  const problems: Problem[] = []
  if (index.protocol === 'HTTP') {
    if (route.requestValidator !== undefined) {
      problems.push(error(`${f}.requestValidator`, 'FieldNotApplicable', 'HTTP APIs have no request validation (API Gateway validates requests of REST APIs only)'))
    }
    if (route.requestModels !== undefined) problems.push(warning(`${f}.requestModels`, 'FieldIgnored', 'HTTP APIs have no request validation: request models are not used'))
    return { problems }
  }
  const models: Record<string, string> = {}
  for (const [contentType, name] of Object.entries(route.requestModels ?? {})) {
    const field = childField(`${f}.requestModels`, contentType)
    const key = contentType === '$default' ? contentType : mediaType(contentType)
    if (key !== '$default' && !CONTENT_TYPE.test(key)) {
      problems.push(error(field, 'InvalidContentType', `${JSON.stringify(contentType)} is not a media type (type/subtype) or $default`))
    } else if (Object.hasOwn(models, key)) {
      problems.push(error(field, 'InvalidContentType', `${JSON.stringify(contentType)} names the content type ${key} a second time`))
    } else if (index.broken.has(name)) {
      // The model itself is reported.
    } else if (!Object.hasOwn(index.models, name)) {
      problems.push(error(field, 'ModelNotFound', `model ${JSON.stringify(name)} is not defined in spec.models (nor one of the predefined Empty, Error)`))
    } else {
      models[key] = name
    }
  }
  const name = route.requestValidator
  if (name === undefined) return { problems }
  const validator = Object.hasOwn(index.validators, name) ? index.validators[name] : undefined
  if (validator === undefined) {
    const known = Object.keys(index.validators).sort()
    problems.push(
      error(
        `${f}.requestValidator`,
        'RequestValidatorNotFound',
        `request validator ${JSON.stringify(name)} is not defined in spec.requestValidators${known.length > 0 ? ` (defined: ${known.join(', ')})` : ''}`,
      ),
    )
    return { problems }
  }
  const body = validator.validateRequestBody ?? false
  return {
    validation: { validator: name, body, parameters: validator.validateRequestParameters ?? false, models: body ? models : {} },
    problems,
  }
}

/** The models the routes' validation uses, with the models they reference; undefined when none. */
export function revisionModels(routes: readonly RouteConfig[], index: ValidationIndex): Record<string, ModelConfig> | undefined {
  const roots = routes.flatMap((r) => (r.validation !== undefined ? Object.values(r.validation.models) : []))
  if (roots.length === 0) return undefined
  const out: Record<string, ModelConfig> = {}
  for (const name of usedModels(index.models, roots)) out[name] = index.models[name]!
  return out
}
