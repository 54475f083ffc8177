// Api: one API Gateway API (REST, HTTP or WebSocket) — its routes, integrations and API-wide
// settings. Field names follow API Gateway's vocabulary in Kubernetes spelling.
import { Type, type Static } from '@sinclair/typebox'
import { FunctionRef } from './authorizer.js'
import { Conditions, LocalRef, ObservedGeneration, described, type KindDefinition } from './common.js'

export const HttpMethod = Type.Union(
  ['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'HEAD', 'OPTIONS', 'ANY'].map((m) => Type.Literal(m)),
  { description: 'HTTP method of the route; ANY matches every method.' },
)
export type HttpMethod = Static<typeof HttpMethod>

const StringMap = (description: string) => Type.Record(Type.String(), Type.String(), { description })

export const IntegrationResponse = Type.Object(
  {
    statusCode: Type.String({
      pattern: '^[1-5][0-9][0-9]$',
      description: 'Method response status code this integration response maps to.',
    }),
    selectionPattern: Type.Optional(
      Type.String({
        maxLength: 1024,
        description:
          'Regular expression matched against the backend status code (HTTP) or the function error message (AWS). ' +
          'Absent or empty: the default response.',
      }),
    ),
    responseParameters: Type.Optional(
      StringMap(
        "Header mappings: method.response.header.NAME -> integration.response.header.NAME | integration.response.body | 'static value'.",
      ),
    ),
    responseTemplates: Type.Optional(StringMap('Response mapping templates keyed by content type.')),
    contentHandling: Type.Optional(
      Type.Union([Type.Literal('CONVERT_TO_BINARY'), Type.Literal('CONVERT_TO_TEXT')], {
        description: 'How to convert the response payload.',
      }),
    ),
  },
  { additionalProperties: false },
)
export type IntegrationResponse = Static<typeof IntegrationResponse>

export const BackendRef = Type.Object(
  {
    name: Type.String({ minLength: 1, maxLength: 63, description: 'Name of the Service.' }),
    namespace: Type.Optional(Type.String({ minLength: 1, maxLength: 63, description: 'Namespace of the Service.' })),
    port: Type.Integer({ minimum: 1, maximum: 65535, description: 'Port of the Service.' }),
    scheme: Type.Optional(Type.Union([Type.Literal('http'), Type.Literal('https')], { description: 'Default http.' })),
  },
  { additionalProperties: false, description: 'Backend as a Kubernetes Service; alternative to uri.' },
)

/**
 * The function of an AWS or AWS_PROXY integration as a Service: the Authorizer's FunctionRef, with a
 * function name that may be (or contain) a stage variable, as API Gateway allows in a Lambda uri.
 */
export const IntegrationFunctionRef = Type.Object(
  {
    ...FunctionRef.properties,
    namespace: Type.Optional(
      Type.String({ minLength: 1, maxLength: 63, description: 'Namespace of the Service; defaults to the namespace of the Api.' }),
    ),
    functionName: Type.Optional(
      Type.String({
        pattern: '^([A-Za-z0-9_-]|\\$\\{stageVariables\\.[A-Za-z0-9_]+\\}){1,140}$',
        default: 'function',
        description:
          "Function name in the invoke path /2015-03-31/functions/{functionName}/invocations (default 'function', as the Lambda " +
          'runtime interface emulator expects); may contain ${stageVariables.NAME}.',
      }),
    ),
  },
  { additionalProperties: false, description: 'The function as a Service (AWS, AWS_PROXY). Exclusive with uri.' },
)

export const IntegrationType = Type.Union(
  ['HTTP', 'HTTP_PROXY', 'MOCK', 'AWS_PROXY', 'AWS'].map((t) => Type.Literal(t)),
  { description: 'Integration type, as in API Gateway.' },
)

export const Integration = Type.Object(
  {
    type: IntegrationType,
    httpMethod: Type.Optional(
      Type.Union(
        ['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'HEAD', 'OPTIONS', 'ANY'].map((m) => Type.Literal(m)),
        { description: 'Method used to call the backend; ANY forwards the method of the request. Required for HTTP and HTTP_PROXY.' },
      ),
    ),
    uri: Type.Optional(
      Type.String({
        maxLength: 2048,
        description:
          'Backend URL. May contain {param} path parameters and ${stageVariables.NAME}. Either uri or backendRef for HTTP and HTTP_PROXY. ' +
          'AWS and AWS_PROXY: the function invoke URL http(s)://HOST/2015-03-31/functions/NAME/invocations, or a Lambda ARN uri ' +
          'arn:aws:apigateway:REGION:lambda:path/2015-03-31/functions/FUNCTION_ARN/invocations (needs the gateway-wide function endpoint); ' +
          'either uri or functionRef.',
      }),
    ),
    backendRef: Type.Optional(BackendRef),
    functionRef: Type.Optional(IntegrationFunctionRef),
    timeoutInMillis: Type.Optional(
      Type.Integer({ minimum: 50, maximum: 29000, description: 'Integration timeout, 50 to 29000 ms (default 29000).' }),
    ),
    requestParameters: Type.Optional(
      StringMap(
        'Request parameter mappings: integration.request.{path|querystring|header}.NAME -> ' +
          "method.request.{path|querystring|header}.NAME | stageVariables.NAME | context.NAME | 'static value'.",
      ),
    ),
    requestTemplates: Type.Optional(StringMap('Request mapping templates keyed by content type.')),
    passthroughBehavior: Type.Optional(
      Type.Union([Type.Literal('WHEN_NO_MATCH'), Type.Literal('WHEN_NO_TEMPLATES'), Type.Literal('NEVER')], {
        description: 'What to do with a request whose content type has no template (default WHEN_NO_MATCH).',
      }),
    ),
    contentHandling: Type.Optional(
      Type.Union([Type.Literal('CONVERT_TO_BINARY'), Type.Literal('CONVERT_TO_TEXT')], {
        description: 'How to convert the request payload.',
      }),
    ),
    cacheKeyParameters: Type.Optional(
      Type.Array(Type.String(), { description: 'Method request parameters that are part of the cache key.' }),
    ),
    cacheNamespace: Type.Optional(Type.String({ description: 'Cache namespace shared by routes that cache together.' })),
    payloadFormatVersion: Type.Optional(
      Type.Union([Type.Literal('1.0'), Type.Literal('2.0')], {
        description:
          'AWS_PROXY: format of the Lambda proxy event and result. HTTP APIs: 1.0 or 2.0 (default 2.0); REST APIs: 1.0 only.',
      }),
    ),
    responses: Type.Optional(
      Type.Array(IntegrationResponse, {
        description: 'Integration responses (HTTP, MOCK, AWS), selected by selectionPattern.',
      }),
    ),
  },
  { additionalProperties: false, description: 'The backend the route sends requests to.' },
)
export type Integration = Static<typeof Integration>

export const MethodResponse = Type.Object(
  {
    statusCode: Type.String({ pattern: '^[1-5][0-9][0-9]$', description: 'Status code of the method response.' }),
    responseParameters: Type.Optional(
      Type.Record(Type.String(), Type.Boolean(), {
        description: 'Headers the method response may return: method.response.header.NAME -> required.',
      }),
    ),
    responseModels: Type.Optional(StringMap('Models of the response body keyed by content type.')),
  },
  { additionalProperties: false },
)
export type MethodResponse = Static<typeof MethodResponse>

export const AuthorizationType = Type.Union(
  ['NONE', 'AWS_IAM', 'CUSTOM', 'JWT', 'COGNITO_USER_POOLS'].map((t) => Type.Literal(t)),
  { description: 'How callers of the route are authorized (default NONE).' },
)

export const Route = Type.Object(
  {
    path: Type.Optional(
      Type.String({
        minLength: 1,
        maxLength: 1024,
        description: 'Resource path, e.g. /pets/{petId} or /{proxy+}. Required unless routeKey is given.',
      }),
    ),
    method: Type.Optional(HttpMethod),
    routeKey: Type.Optional(
      Type.String({
        minLength: 1,
        maxLength: 1024,
        description: "Route key of HTTP and WebSocket APIs: 'GET /pets', '$default', '$connect'. Alternative to path + method.",
      }),
    ),
    operationName: Type.Optional(Type.String({ maxLength: 128, description: 'Operation name, as in OpenAPI.' })),
    authorizationType: Type.Optional(AuthorizationType),
    authorizerRef: Type.Optional(described(LocalRef, 'The Authorizer of CUSTOM, JWT and COGNITO_USER_POOLS routes.')),
    authorizationScopes: Type.Optional(Type.Array(Type.String(), { description: 'Scopes a JWT must carry.' })),
    apiKeyRequired: Type.Optional(Type.Boolean({ description: 'Require an API key (default false).' })),
    requestParameters: Type.Optional(
      Type.Record(Type.String(), Type.Boolean(), {
        description: 'Method request parameters: method.request.{path|querystring|header}.NAME -> required.',
      }),
    ),
    requestValidator: Type.Optional(Type.String({ description: 'Name of an entry of spec.requestValidators.' })),
    requestModels: Type.Optional(StringMap('Models of the request body keyed by content type.')),
    integration: Integration,
    methodResponses: Type.Optional(Type.Array(MethodResponse, { description: 'Method responses.' })),
  },
  { additionalProperties: false },
)
export type Route = Static<typeof Route>

export const Model = Type.Object(
  {
    contentType: Type.Optional(Type.String({ description: 'Content type of the model (default application/json).' })),
    description: Type.Optional(Type.String({ description: 'What the model describes.' })),
    schema: Type.Unknown({ description: 'JSON Schema (draft 4) of the model.', 'x-kubernetes-preserve-unknown-fields': true }),
  },
  { additionalProperties: false },
)

export const RequestValidator = Type.Object(
  {
    validateRequestBody: Type.Optional(Type.Boolean({ description: 'Validate the body against the model of its content type.' })),
    validateRequestParameters: Type.Optional(
      Type.Boolean({ description: 'Check that required request parameters are present.' }),
    ),
  },
  { additionalProperties: false },
)

export const GatewayResponse = Type.Object(
  {
    statusCode: Type.Optional(
      Type.String({ pattern: '^[1-5][0-9][0-9]$', description: 'Status code to answer with instead of the default one.' }),
    ),
    responseParameters: Type.Optional(StringMap("Headers: gatewayresponse.header.NAME -> 'static' or method.request.*.")),
    responseTemplates: Type.Optional(StringMap('Body templates keyed by content type.')),
  },
  { additionalProperties: false },
)

export const Cors = Type.Object(
  {
    allowOrigins: Type.Optional(
      Type.Array(Type.String(), { description: "Origins allowed to call the API (scheme://host[:port]); '*' for any, not with allowCredentials." }),
    ),
    allowMethods: Type.Optional(Type.Array(Type.String(), { description: "Methods allowed in cross-origin requests; '*' for any." })),
    allowHeaders: Type.Optional(Type.Array(Type.String(), { description: "Request headers allowed in cross-origin requests; '*' for any." })),
    exposeHeaders: Type.Optional(Type.Array(Type.String(), { description: 'Response headers browsers may expose to scripts.' })),
    maxAge: Type.Optional(
      Type.Integer({ minimum: 0, maximum: 86400, description: 'Seconds browsers may cache a preflight response.' }),
    ),
    allowCredentials: Type.Optional(Type.Boolean({ description: 'Allow credentials (cookies, authorization headers).' })),
  },
  { additionalProperties: false, description: 'CORS configuration (docs/cors.md). REST APIs: OPTIONS MOCK routes are generated; HTTP APIs: the gateway answers preflights.' },
)

export const ApiSpec = Type.Object(
  {
    apiId: Type.Optional(
      Type.String({
        pattern: '^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$',
        description:
          'Identifier used in the execute-api host name. Default: 10 lowercase alphanumerics derived from namespace/name.',
      }),
    ),
    protocol: Type.Optional(
      Type.Union([Type.Literal('REST'), Type.Literal('HTTP'), Type.Literal('WEBSOCKET')], {
        description: 'Protocol of the API (default REST).',
      }),
    ),
    description: Type.Optional(Type.String({ maxLength: 1024, description: 'What the API is for.' })),
    endpointType: Type.Optional(
      Type.Union([Type.Literal('REGIONAL'), Type.Literal('PRIVATE')], {
        description: 'REGIONAL: served on the public listener; PRIVATE: in-cluster only (default REGIONAL).',
      }),
    ),
    routes: Type.Array(Route, { maxItems: 300, description: 'Routes (resources and methods) of the API.' }),
    models: Type.Optional(Type.Record(Type.String(), Model, { description: 'Models by name.' })),
    requestValidators: Type.Optional(Type.Record(Type.String(), RequestValidator, { description: 'Request validators by name.' })),
    gatewayResponses: Type.Optional(
      Type.Record(Type.String(), GatewayResponse, { description: 'Gateway response customizations by response type.' }),
    ),
    cors: Type.Optional(Cors),
    policy: Type.Optional(
      Type.Unknown({ description: 'Resource policy (IAM policy document).', 'x-kubernetes-preserve-unknown-fields': true }),
    ),
    binaryMediaTypes: Type.Optional(Type.Array(Type.String(), { description: 'Media types treated as binary.' })),
    minimumCompressionSize: Type.Optional(
      Type.Integer({ minimum: 0, maximum: 10485760, description: 'Compress responses at least this large; absent: off.' }),
    ),
    apiKeySource: Type.Optional(
      Type.Union([Type.Literal('HEADER'), Type.Literal('AUTHORIZER')], { description: 'Where API keys come from (default HEADER).' }),
    ),
    disableExecuteApiEndpoint: Type.Optional(Type.Boolean({ description: 'Serve only through custom domains.' })),
    routeSelectionExpression: Type.Optional(
      Type.String({ description: 'WebSocket route selection expression, e.g. $request.body.action.' }),
    ),
  },
  { additionalProperties: false },
)
export type ApiSpec = Static<typeof ApiSpec>

export const ApiStatus = Type.Object({
  observedGeneration: Type.Optional(ObservedGeneration),
  apiId: Type.Optional(Type.String({ description: 'The API identifier in effect.' })),
  endpoints: Type.Optional(Type.Array(Type.String(), { description: 'Endpoint URLs of the stages of this API.' })),
  conditions: Type.Optional(Conditions),
})

export const ApiKind: KindDefinition<typeof ApiSpec, typeof ApiStatus> = {
  kind: 'Api',
  plural: 'apis',
  singular: 'api',
  shortNames: ['tgapi'],
  description: 'An API Gateway API: routes, integrations and API-wide settings.',
  spec: ApiSpec,
  status: ApiStatus,
  printerColumns: [
    { name: 'Protocol', type: 'string', jsonPath: '.spec.protocol' },
    { name: 'ApiId', type: 'string', jsonPath: '.status.apiId' },
    { name: 'Accepted', type: 'string', jsonPath: ".status.conditions[?(@.type=='Accepted')].status" },
    { name: 'Age', type: 'date', jsonPath: '.metadata.creationTimestamp' },
  ],
}
