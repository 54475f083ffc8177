// THE order of the request pipeline: one table, the reason for each position beside it.
// Every stage file in this folder must appear here (pipeline-order.test.ts fails otherwise).
//
//   route              first: everything after it is per route, and the route's chain is what
//                      runs. Routing itself (host → API, first segment → stage, path → route)
//                      happens in dispatch.ts on the normalized path; this row delivers the
//                      captured path parameters to the rest of the chain.
//   cors               before policy and authorize: decides the CORS headers of the response
//                      (errors take theirs from the API's gateway responses, so a browser can
//                      read a 401 or a 429 too). HTTP APIs answer preflights earlier still, in
//                      handle-request.ts before routing: a preflight carries no credentials and
//                      may match no route.
//   policy             resource policy (source IP, caller namespace): cheapest rejection,
//                      before any authorizer is called (an explicit Deny never reaches one).
//                      AWS_IAM routes combine it with IAM policies in authorize instead.
//   authorize          IAM / Lambda / JWT / Cognito; its identity feeds meter and mappings
//                      (an AUTHORIZER API key source reads its usageIdentifierKey).
//   meter              API key, throttle, quota: after authorize so unauthenticated traffic
//                      never consumes a customer's quota; before any request work, so a
//                      throttled request costs one store call and nothing else.
//   validate           request validators (required parameters, body against its model): after
//                      meter, so invalid requests still count (as on AWS); before any
//                      integration work. It may read the body (into ctx.body, sent on from there).
//   cache              after validate (never cache an invalid request, and invalid requests
//                      still get their 400), after authorize and meter (a hit is authorized,
//                      throttled and counted like any request, and the caller's identity is
//                      part of the key); before transform-request so a hit costs no
//                      integration work. respond records a miss's method response.
//   transform-request  builds the integration request (mappings, templates, passthrough; a
//                      function's event); last before integrate because it may read the body.
//   integrate          the backend call, the function invocation (or the mock). HTTP_PROXY ends the chain here: its
//                      call streams the backend's response to the client as it arrives
//                      (on routes the stage caches it hands the whole response to respond).
//   transform-response integration response → method response (selection, mappings; a Lambda
//                      proxy result).
//   respond            writes status, headers and body (recording a cache miss's); always last.
import { authorize } from './authorize.js'
import { cache } from './cache.js'
import { cors } from './cors.js'
import { integrate } from './integrate.js'
import { meter } from './meter.js'
import { policy } from './policy.js'
import { respond } from './respond.js'
import { route } from './route.js'
import { transformRequest } from './transform-request.js'
import { transformResponse } from './transform-response.js'
import { validate } from './validate.js'
import type { PipelineStage } from './types.js'

export const PIPELINE: readonly PipelineStage[] = [route, cors, policy, authorize, meter, validate, cache, transformRequest, integrate, transformResponse, respond]
