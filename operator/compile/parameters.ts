// Request parameters of REST APIs, in the forms API Gateway documents:
//   route.requestParameters:       method.request.{path|querystring|header}.NAME -> required
//   integration.requestParameters: integration.request.{path|querystring|header}.NAME -> source
// where a source is method.request.{path|querystring|header|multivalueheader|
// multivaluequerystring}.NAME, stageVariables.NAME, context.NAME or a 'static value' in single
// quotes. Names match API Gateway's expression rule ^[a-zA-Z0-9._$-]+$. Body sources
// (method.request.body, method.request.body.JSONPATH) are documented by AWS but not
// implemented by the proxy yet, so they are refused rather than ignored.
import { error, type Problem } from '../../crds/problems.js'
import { childField } from './fields.js'

const NAME = '[A-Za-z0-9._$-]+'
const METHOD_PARAM = new RegExp(`^method\\.request\\.(path|querystring|header)\\.(${NAME})$`)
const TARGET = new RegExp(`^integration\\.request\\.(path|querystring|header)\\.(${NAME})$`)
const SOURCE_METHOD = new RegExp(`^method\\.request\\.(path|querystring|header|multivalueheader|multivaluequerystring)\\.(${NAME})$`)
const SOURCE_STAGE_VARIABLE = /^stageVariables\.([A-Za-z0-9_]+)$/
const SOURCE_CONTEXT = new RegExp(`^context\\.(${NAME})$`)
const SOURCE_STATIC = /^'[^']*'$/

export interface StageVariableUse {
  name: string
  field: string
}

/** Checks route.requestParameters (method request parameters). */
export function methodParameterProblems(params: Record<string, boolean>, pathParams: readonly string[], field: string): Problem[] {
  const problems: Problem[] = []
  for (const key of Object.keys(params)) {
    const f = childField(field, key)
    const m = METHOD_PARAM.exec(key)
    if (!m) {
      problems.push(error(f, 'InvalidRequestParameter', `${JSON.stringify(key)} must have the form method.request.{path|querystring|header}.NAME`))
    } else if (m[1] === 'path' && !pathParams.includes(m[2]!)) {
      problems.push(error(f, 'UnknownPathParameter', `${key} names ${JSON.stringify(m[2])}, which is not a parameter of the route's path`))
    }
  }
  return problems
}

/**
 * Checks integration.requestParameters. Returns the problems, the names mapped to
 * integration.request.path.NAME, and the stage variables the sources read.
 */
export function integrationParameterProblems(
  params: Record<string, string>,
  pathParams: readonly string[],
  field: string,
): { problems: Problem[]; mappedPathParams: string[]; stageVariables: StageVariableUse[] } {
  const problems: Problem[] = []
  const mappedPathParams: string[] = []
  const stageVariables: StageVariableUse[] = []
  for (const [key, value] of Object.entries(params)) {
    const f = childField(field, key)
    const target = TARGET.exec(key)
    if (!target) {
      problems.push(
        error(f, 'InvalidRequestParameter', `${JSON.stringify(key)} must have the form integration.request.{path|querystring|header}.NAME`),
      )
    } else if (target[1] === 'path') {
      mappedPathParams.push(target[2]!)
    }
    const source = SOURCE_METHOD.exec(value)
    if (source) {
      if (source[1] === 'path' && !pathParams.includes(source[2]!)) {
        problems.push(error(f, 'UnknownPathParameter', `${value} names ${JSON.stringify(source[2])}, which is not a parameter of the route's path`))
      }
      continue
    }
    const stageVariable = SOURCE_STAGE_VARIABLE.exec(value)
    if (stageVariable) {
      stageVariables.push({ name: stageVariable[1]!, field: f })
      continue
    }
    if (SOURCE_CONTEXT.test(value) || SOURCE_STATIC.test(value)) continue
    if (value === 'method.request.body' || value.startsWith('method.request.body.')) {
      problems.push(error(f, 'UnsupportedRequestParameter', `${value}: mapping the request body to a parameter is not supported yet`))
      continue
    }
    problems.push(
      error(
        f,
        'InvalidRequestParameter',
        `${JSON.stringify(value)} is not a valid source: use method.request.{path|querystring|header|multivalueheader|multivaluequerystring}.NAME, ` +
          "stageVariables.NAME, context.NAME or a 'static value' in single quotes",
      ),
    )
  }
  return { problems, mappedPathParams, stageVariables }
}
