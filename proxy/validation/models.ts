// Models (JSON Schema draft 4) compiled with ajv, once per revision when the config is built:
// the compiler calls modelProblems to refuse what would not compile, the proxy calls
// compileModels and validates bodies with the result (pipeline/validate.ts).
//
// Before ajv sees a model, it is copied with its model references rewritten to one URI per
// model (schema-walk.ts, modelUri), and without its root `$schema` and `id`: every model is
// read as draft 4, as API Gateway reads it, and two models declaring the same `id` do not clash.
//
// ajv options, and why: draft 4 (ajv-draft-04: boolean exclusiveMinimum/Maximum, `id`); not
// strict (models carry `title`, `example` and other keywords ajv's strict mode refuses);
// unicodeRegExp off (API Gateway's validator runs `pattern` as ECMA 262 without the `u` flag, so
// "[a-z\-]" is a valid pattern); formats from formats.ts; one error is enough to refuse a body
// (explain.ts names the failures when one is found).
import AjvDraft04Module from 'ajv-draft-04'
import type { ValidateFunction } from 'ajv'
import type { ModelConfig } from '../config/schema.js'
import { FORMATS } from './formats.js'
import { isObject, modelReference, modelUri, references, resolvePointer, subschemas, type JsonObject } from './schema-walk.js'

// The package is CommonJS: under NodeNext its default import is module.exports, whose `default` is the class.
const Ajv = AjvDraft04Module.default
type AjvInstance = InstanceType<typeof Ajv>

function newAjv(): AjvInstance {
  const ajv = new Ajv({ strict: false, logger: false, unicodeRegExp: false, allErrors: false, validateFormats: true })
  for (const [name, format] of FORMATS) ajv.addFormat(name, format.check)
  return ajv
}

/** A copy of `schema` for ajv: model references rewritten, root `$schema` and `id` dropped. */
export function normalizeModel(schema: unknown): unknown {
  if (!isObject(schema)) return schema
  const copy = rewrite(schema)
  delete copy.$schema
  delete copy.id
  delete copy.$id
  return copy
}

function rewrite(schema: JsonObject): JsonObject {
  const copy = structuredClone(schema)
  const visit = (node: JsonObject): void => {
    if (typeof node.$ref === 'string') {
      const ref = modelReference(node.$ref)
      if (ref !== null) node.$ref = modelUri(ref.model) + ref.fragment
    }
    for (const sub of subschemas(node)) visit(sub.schema)
  }
  visit(copy)
  return copy
}

/** The compiled models of one revision. */
export interface CompiledModels {
  /** The validation function of a model; throws when it does not compile (the compiler refuses such models). */
  validator(model: string): ValidateFunction
  /** The normalized schema of a model (what explain.ts walks). */
  schema(model: string): unknown
}

export class ModelCompileError extends Error {
  constructor(
    readonly model: string,
    message: string,
  ) {
    super(`model ${model}: ${message}`)
    this.name = 'ModelCompileError'
  }
}

/** Registers every model with one ajv instance; each compiles on first use (then stays compiled). */
export function compileModels(models: Readonly<Record<string, ModelConfig>>): CompiledModels {
  const ajv = newAjv()
  const schemas = new Map<string, unknown>()
  for (const [name, model] of Object.entries(models)) {
    const schema = normalizeModel(model.schema)
    schemas.set(name, schema)
    try {
      ajv.addSchema(schema as object, modelUri(name))
    } catch (err) {
      throw new ModelCompileError(name, (err as Error).message)
    }
  }
  const validators = new Map<string, ValidateFunction>()
  return {
    validator(model) {
      let validate = validators.get(model)
      if (validate === undefined) {
        try {
          validate = ajv.getSchema(modelUri(model))
        } catch (err) {
          throw new ModelCompileError(model, (err as Error).message)
        }
        if (validate === undefined) throw new ModelCompileError(model, 'no such model')
        validators.set(model, validate)
      }
      return validate
    },
    schema(model) {
      return schemas.get(model)
    },
  }
}

/** A model that cannot be used, and why; `reason` is a compiler reason (docs/compiler.md). */
export interface ModelProblem {
  readonly model: string
  readonly reason: 'InvalidModelSchema' | 'InvalidModelReference'
  readonly message: string
}

const CANONICAL = 'https://apigateway.amazonaws.com/restapis/{restapi_id}/models/{model_name}'

/** ajv's message, with the URI a model is compiled under (modelUri) written as the model's name. */
function ajvMessage(err: unknown): string {
  return (err as Error).message.replace(/https:\/\/apigateway\.amazonaws\.com\/restapis\/tollgate\/models\/([^\s#]+)/g, (_, name: string) => `model ${decodeURIComponent(name)}`)
}

/**
 * What is wrong with a set of models, model by model: references to models that do not exist or
 * not in API Gateway's canonical form, schemas that are not draft 4 or that ajv cannot compile
 * (a `pattern` that is not a regular expression, a "#/..." pointer to nothing), and `$ref` loops
 * that never reach the instance (`{"$ref": "#"}`), which would never end.
 */
export function modelProblems(models: Readonly<Record<string, ModelConfig>>): ModelProblem[] {
  const problems: ModelProblem[] = []
  const names = Object.keys(models).sort()
  const broken = new Set<string>()
  for (const name of names) {
    const schema = models[name]!.schema
    if (!isObject(schema)) {
      problems.push({ model: name, reason: 'InvalidModelSchema', message: 'a model schema must be a JSON object' })
      broken.add(name)
      continue
    }
    for (const ref of references(schema)) {
      const target = ref.startsWith('#') ? { model: name, fragment: ref } : modelReference(ref)
      if (target === null) {
        problems.push({ model: name, reason: 'InvalidModelReference', message: `$ref ${JSON.stringify(ref)} must be "#/..." or have the canonical form ${CANONICAL}` })
        broken.add(name)
      } else if (!Object.hasOwn(models, target.model)) {
        problems.push({ model: name, reason: 'InvalidModelReference', message: `$ref ${JSON.stringify(ref)} names model ${JSON.stringify(target.model)}, which is not defined` })
        broken.add(name)
      } else if (!isObject(resolvePointer(models[target.model]!.schema, target.fragment))) {
        problems.push({ model: name, reason: 'InvalidModelReference', message: `$ref ${JSON.stringify(ref)} points to no schema in model ${target.model}` })
        broken.add(name)
      }
    }
    for (const pattern of patterns(schema)) {
      try {
        new RegExp(pattern)
      } catch (err) {
        problems.push({ model: name, reason: 'InvalidModelSchema', message: `pattern ${JSON.stringify(pattern)} is not a regular expression: ${(err as Error).message}` })
        broken.add(name)
      }
    }
  }
  const ajv = newAjv()
  const added: string[] = []
  for (const name of names) {
    if (broken.has(name)) continue
    try {
      ajv.addSchema(normalizeModel(models[name]!.schema) as object, modelUri(name))
      added.push(name)
    } catch (err) {
      problems.push({ model: name, reason: 'InvalidModelSchema', message: ajvMessage(err) })
      broken.add(name)
    }
  }
  for (const name of added) {
    const loop = refLoop(models, name)
    if (loop !== null) {
      problems.push({ model: name, reason: 'InvalidModelSchema', message: `$ref loop that never reaches a value: ${loop}` })
      broken.add(name)
    }
  }
  // What ajv still refuses (the checks above catch the usual causes, each on its own model).
  for (const name of added) {
    if (broken.has(name)) continue
    // A model that can only fail through a broken model it references is reported there.
    if (usedModels(models, [name]).some((m) => m !== name && broken.has(m))) continue
    try {
      ajv.getSchema(modelUri(name))
    } catch (err) {
      problems.push({ model: name, reason: 'InvalidModelSchema', message: ajvMessage(err) })
      broken.add(name)
    }
  }
  return problems
}

/** The `pattern` values and `patternProperties` names of a schema document (regular expressions). */
function patterns(schema: JsonObject): string[] {
  const out: string[] = []
  const visit = (node: JsonObject): void => {
    if (typeof node.pattern === 'string') out.push(node.pattern)
    if (isObject(node.patternProperties)) out.push(...Object.keys(node.patternProperties))
    for (const sub of subschemas(node)) visit(sub.schema)
  }
  visit(schema)
  return out
}

/** The models `roots` use, themselves included, following model references; sorted. */
export function usedModels(models: Readonly<Record<string, ModelConfig>>, roots: readonly string[]): string[] {
  const seen = new Set<string>()
  const queue = roots.filter((r) => Object.hasOwn(models, r))
  while (queue.length > 0) {
    const name = queue.pop()!
    if (seen.has(name)) continue
    seen.add(name)
    for (const ref of references(models[name]!.schema)) {
      const target = modelReference(ref)
      if (target !== null && Object.hasOwn(models, target.model) && !seen.has(target.model)) queue.push(target.model)
    }
  }
  return [...seen].sort()
}

/** Keywords that apply a subschema to the same value (a loop through them alone never ends). */
const SAME_VALUE = new Set(['allOf', 'anyOf', 'oneOf', 'not', 'dependencies'])

/**
 * A chain of `$ref` (and allOf/anyOf/oneOf/not/dependencies) that comes back to where it started
 * without descending into the value, starting from model `start`; null when there is none.
 */
function refLoop(models: Readonly<Record<string, ModelConfig>>, start: string): string | null {
  const nodeOf = (model: string, fragment: string): { id: string; schema: unknown } => {
    const root = models[model]?.schema
    return { id: `${model}${fragment === '' ? '#' : fragment}`, schema: resolvePointer(root, fragment) }
  }
  const onPath: string[] = []
  const done = new Set<string>()
  const visit = (model: string, id: string, schema: unknown): string | null => {
    if (onPath.includes(id)) return [...onPath.slice(onPath.indexOf(id)), id].join(' → ')
    if (done.has(id) || !isObject(schema)) return null
    onPath.push(id)
    const next: Array<{ model: string; id: string; schema: unknown }> = []
    if (typeof schema.$ref === 'string') {
      const ref = schema.$ref
      const target = ref.startsWith('#') ? { model, fragment: ref } : modelReference(ref)
      if (target !== null) next.push({ model: target.model, ...nodeOf(target.model, target.fragment) })
    }
    for (const sub of subschemas(schema)) {
      if (SAME_VALUE.has(sub.keyword)) next.push({ model, id: `${id}/${sub.tokens.join('/')}`, schema: sub.schema })
    }
    for (const n of next) {
      const found = visit(n.model, n.id, n.schema)
      if (found !== null) return found
    }
    onPath.pop()
    done.add(id)
    return null
  }
  const root = nodeOf(start, '')
  return visit(start, root.id, root.schema)
}
