// The function an AWS or AWS_PROXY integration calls, as the invoke URL the proxy POSTs events to:
//   POST {origin}/2015-03-31/functions/{name}/invocations   (the Lambda invoke API)
// It is named in one of three ways, exactly one of them:
//   functionRef   a Service in front of the function (as an Authorizer's functionRef):
//                 {scheme}://{name}.{namespace}.svc:{port}/2015-03-31/functions/{functionName}/invocations
//   uri           the full invoke URL, http(s)://HOST/2015-03-31/functions/NAME/invocations
//   uri (ARN)     API Gateway's Lambda uri,
//                 arn:aws:apigateway:REGION:lambda:path/2015-03-31/functions/FUNCTION_ARN/invocations,
//                 resolved against the gateway-wide function endpoint (CompileOptions.functionEndpoint,
//                 `--function-endpoint`, e.g. LocalStack's http://localhost:4566): the function ARN
//                 becomes the function name of the invoke path, as the Lambda API accepts it.
// `${stageVariables.NAME}` may stand for the host or a part of the function name, as API Gateway
// allows in Lambda uris; the proxy resolves them per stage.
import { error, type Problem } from '../../crds/problems.js'
import type { Integration } from '../../crds/api.js'
import type { StageVariableUse } from './parameters.js'
import { uriProblems } from './uri.js'

export const INVOKE_PATH = '/2015-03-31/functions/'

/** The path of an invoke URL once its stage variables are replaced by samples. */
const INVOKE_URL_PATH = /^\/2015-03-31\/functions\/[^/]+\/invocations$/
const LAMBDA_ARN_URI = /^arn:aws[a-z-]*:apigateway:([^:]+):lambda:path\/2015-03-31\/functions\/(.+)\/invocations$/
const STAGE_VARIABLE = /\$\{stageVariables\.([A-Za-z0-9_]+)\}/g
/** A function ARN (or one with stage variables standing for parts of it): arn:PARTITION:lambda:REGION:ACCOUNT:function:NAME[:QUALIFIER]. */
const FUNCTION_ARN = /^arn:[^:/\s]+:lambda:[^:/\s]+:[^:/\s]+:function:[^:/\s]+(:[^:/\s]+)?$/

export interface FunctionTarget {
  /** The invoke URL (may contain ${stageVariables.NAME}); '' when it could not be made. */
  readonly uri: string
  readonly problems: Problem[]
  readonly stageVariables: StageVariableUse[]
}

function stageVariableUses(text: string, field: string): StageVariableUse[] {
  return [...text.matchAll(STAGE_VARIABLE)].map((m) => ({ name: m[1]!, field }))
}

export function functionTarget(integration: Integration, f: string, ctx: { namespace: string; functionEndpoint?: string | undefined }): FunctionTarget {
  const problems: Problem[] = []
  if (integration.backendRef !== undefined) {
    problems.push(error(`${f}.backendRef`, 'InvalidIntegration', `${integration.type} integrations call a function: name it with functionRef or uri, not backendRef`))
  }
  const ref = integration.functionRef
  if ((ref === undefined) === (integration.uri === undefined)) {
    problems.push(error(f, 'InvalidFunction', `${integration.type} integrations need exactly one of functionRef or uri`))
    return { uri: '', problems, stageVariables: [] }
  }
  if (ref !== undefined) {
    const namespace = ref.namespace ?? ctx.namespace
    if (namespace !== ctx.namespace) {
      problems.push(
        error(
          `${f}.functionRef.namespace`,
          'RefNotPermitted',
          `functionRef to namespace ${namespace} is not permitted: cross-namespace references need a grant, which is not implemented yet`,
        ),
      )
    }
    const name = ref.functionName ?? 'function'
    const uri = `${ref.scheme ?? 'http'}://${ref.name}.${namespace}.svc:${ref.port}${INVOKE_PATH}${name}/invocations`
    return { uri, problems, stageVariables: stageVariableUses(name, `${f}.functionRef.functionName`) }
  }

  const field = `${f}.uri`
  const written = integration.uri!
  const arn = LAMBDA_ARN_URI.exec(written)
  if (arn !== null) {
    const functionArn = arn[2]!
    if (!FUNCTION_ARN.test(functionArn.replace(STAGE_VARIABLE, 'x'))) {
      problems.push(error(field, 'InvalidUri', `${JSON.stringify(functionArn)} is not a Lambda function ARN (arn:aws:lambda:REGION:ACCOUNT:function:NAME)`))
      return { uri: '', problems, stageVariables: [] }
    }
    if (ctx.functionEndpoint === undefined) {
      problems.push(
        error(
          field,
          'FunctionEndpointRequired',
          'a Lambda ARN uri needs the gateway-wide function endpoint (tollgate run/operator --function-endpoint URL, e.g. LocalStack); ' +
            'or give the invoke URL (http://HOST/2015-03-31/functions/NAME/invocations) or a functionRef',
        ),
      )
      return { uri: '', problems, stageVariables: [] }
    }
    const uri = `${ctx.functionEndpoint.replace(/\/+$/, '')}${INVOKE_PATH}${functionArn}/invocations`
    return { uri, problems, stageVariables: stageVariableUses(written, field) }
  }
  if (written.startsWith('arn:')) {
    problems.push(
      error(field, 'InvalidUri', `${JSON.stringify(written)} is not a Lambda invocation uri (arn:aws:apigateway:REGION:lambda:path/2015-03-31/functions/FUNCTION_ARN/invocations)`),
    )
    return { uri: '', problems, stageVariables: [] }
  }
  const checked = uriProblems(written, field, { route: [], mapped: [] })
  problems.push(...checked.problems)
  if (checked.problems.length === 0) {
    const path = new URL(written.replace(STAGE_VARIABLE, '1')).pathname
    if (!INVOKE_URL_PATH.test(path)) {
      problems.push(error(field, 'InvalidUri', `uri ${JSON.stringify(written)} is not a function invoke URL: its path must be /2015-03-31/functions/NAME/invocations`))
    }
  }
  return { uri: written, problems, stageVariables: checked.stageVariables }
}
