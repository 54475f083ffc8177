// The backend URL of HTTP and HTTP_PROXY integrations. It is a template: `{name}` is a path
// parameter (the route's own, or one mapped with integration.request.path.name) and
// `${stageVariables.NAME}` a stage variable. API Gateway lets a stage variable stand for the
// whole host, a subdomain, a path part or a query value, but not for the scheme, so the URL
// must start with a literal http:// or https:// and be a valid absolute URL once every
// variable is replaced by a sample value.
import { error, type Problem } from '../../crds/problems.js'
import { PARAM_NAME } from './paths.js'
import type { StageVariableUse } from './parameters.js'

const EXPRESSION = /\$\{([^}]*)\}/g
const STAGE_VARIABLE = /^stageVariables\.([A-Za-z0-9_]+)$/
const PATH_PARAM = /\{([^{}]*)\}/g
/** Stands for a variable while the URL is parsed: valid as a host, a port, a path part and a query value. */
const SAMPLE = '1'

export function uriProblems(
  uri: string,
  field: string,
  params: { route: readonly string[]; mapped: readonly string[] },
): { problems: Problem[]; stageVariables: StageVariableUse[] } {
  const problems: Problem[] = []
  const stageVariables: StageVariableUse[] = []
  const bad = (message: string) => problems.push(error(field, 'InvalidUri', message))

  let sample = uri.replace(EXPRESSION, (_all, inner: string) => {
    const m = STAGE_VARIABLE.exec(inner)
    if (m) stageVariables.push({ name: m[1]!, field })
    else bad(`\${${inner}} is not a stage variable reference; only \${stageVariables.NAME} may be used in a uri`)
    return SAMPLE
  })
  sample = sample.replace(PATH_PARAM, (_all, name: string) => {
    if (name.endsWith('+') && PARAM_NAME.test(name.slice(0, -1))) {
      problems.push(error(field, 'UnknownPathParameter', `write {${name.slice(0, -1)}} without the + in a uri; the greedy + belongs in the route's path only`))
    } else if (!PARAM_NAME.test(name)) {
      bad(`{${name}} is not a valid path parameter reference`)
    } else if (!params.route.includes(name) && !params.mapped.includes(name)) {
      problems.push(
        error(
          field,
          'UnknownPathParameter',
          `{${name}} is neither a parameter of the route's path nor mapped with integration.request.path.${name}`,
        ),
      )
    }
    return SAMPLE
  })
  if (sample.includes('{') || sample.includes('}')) bad(`uri ${JSON.stringify(uri)} has an unbalanced { or }`)
  if (/\s/.test(uri)) bad(`uri ${JSON.stringify(uri)} contains whitespace`)
  if (!/^https?:\/\//i.test(uri)) {
    bad(`uri ${JSON.stringify(uri)} must be an absolute URL starting with http:// or https://`)
  } else if (!URL.canParse(sample) || new URL(sample).hostname === '') {
    bad(`uri ${JSON.stringify(uri)} is not a valid absolute URL`)
  }
  return { problems, stageVariables }
}
