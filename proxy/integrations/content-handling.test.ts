// Content handling: API Gateway's conversion tables ("Content type conversions in API Gateway",
// https://docs.aws.amazon.com/apigateway/latest/developerguide/api-gateway-payload-encodings-workflow.html)
// run row by row (test/proxy/content-conversions.ts) on the compiled rules with real bytes, and
// the strict base64 decoding AWS applies (a text that is not base64 fails with 500).
import t from 'tap'
import type { ApiConfig, IntegrationConfig } from '../config/schema.js'
import { GatewayError } from '../errors.js'
import { compilePayloadRules, convertPayload, decodeBase64, planRequest, planResponse, type ContentHandling } from './content-handling.js'
import { expectedOf, payloadOf, REQUEST_TABLE, RESPONSE_TABLE, typesOf } from '../../test/proxy/content-conversions.js'

function restApi(types: string[]): ApiConfig {
  return {
    id: 'abc',
    name: 'default/abc',
    source: { kind: 'Api', namespace: 'default', name: 'abc' },
    protocol: 'REST',
    endpointType: 'REGIONAL',
    disableExecuteApiEndpoint: false,
    binaryMediaTypes: types,
    revisions: [],
    stages: [],
  }
}

function httpIntegration(request: ContentHandling, response: ContentHandling): IntegrationConfig {
  return {
    type: 'HTTP',
    httpMethod: 'POST',
    uri: 'http://backend.test/',
    timeoutMs: 29000,
    requestParameters: {},
    requestTemplates: {},
    passthroughBehavior: 'WHEN_NO_MATCH',
    contentHandling: request,
    responses: [{ statusCode: '200', selectionPattern: null, responseParameters: {}, responseTemplates: {}, contentHandling: response }],
  }
}

t.test('request table (Content type conversions in API Gateway)', async (t) => {
  REQUEST_TABLE.forEach((row, i) => {
    const rules = compilePayloadRules(restApi(typesOf(row)), httpIntegration(row.contentHandling, null))
    const contentType = row.binaryType ? 'image/png' : 'text/plain; charset=utf-8'
    const plan = planRequest(rules, contentType, true)
    const out = convertPayload(payloadOf(row), plan.conversion, 'request')
    t.same(out, expectedOf(row), `row ${i + 1}: ${row.payload} data, ${row.binaryMediaTypes} binaryMediaTypes, ${row.contentHandling ?? 'no contentHandling'} -> ${row.doc}`)
    t.equal(plan.binary, row.outcome === 'base64-decoded' || (row.payload === 'binary' && row.outcome === 'as is'), `row ${i + 1}: binary afterwards`)
  })
})

t.test('response table (Content type conversions in API Gateway)', async (t) => {
  RESPONSE_TABLE.forEach((row, i) => {
    const rules = compilePayloadRules(restApi(typesOf(row)), httpIntegration(null, row.contentHandling))
    const contentType = row.payload === 'binary' ? 'image/png' : 'application/json'
    const accept = row.binaryAccept ? 'image/png, text/html' : 'text/html, image/png'
    const plan = planResponse(rules, row.contentHandling, contentType, accept)
    const out = convertPayload(payloadOf(row), plan.conversion, 'response')
    t.same(out, expectedOf(row), `row ${i + 1}: ${row.payload} data, Accept ${row.binaryAccept ? 'binary' : 'text'}, ${row.contentHandling ?? 'no contentHandling'} -> ${row.doc}`)
  })
})

t.test('nothing to convert: no binaryMediaTypes and no contentHandling, or no body', async (t) => {
  const inert = compilePayloadRules(restApi([]), httpIntegration(null, null))
  t.equal(inert.inert, true)
  t.same(planRequest(inert, 'image/png', true), { conversion: 'none', binary: false })
  const typed = compilePayloadRules(restApi(['*/*']), httpIntegration('CONVERT_TO_TEXT', null))
  t.equal(typed.inert, false)
  t.same(planRequest(typed, 'image/png', false), { conversion: 'none', binary: false }, 'a request without a body is never converted')
  t.same(planRequest(typed, 'image/png', true), { conversion: 'encode', binary: false })
  t.same(convertPayload(Buffer.alloc(0), 'decode', 'response'), Buffer.alloc(0))
})

t.test('binaryMediaTypes are a REST API setting: an HTTP API never converts', async (t) => {
  const httpApi = { ...restApi(['*/*']), protocol: 'HTTP' as const }
  const rules = compilePayloadRules(httpApi, { ...httpIntegration(null, null), type: 'HTTP_PROXY' })
  t.equal(rules.inert, true)
  t.equal(rules.binary('image/png'), false)
})

t.test('binaryMediaTypes are compiled once per API', async (t) => {
  const a = restApi(['image/png'])
  t.equal(compilePayloadRules(a, httpIntegration(null, null)).binary, compilePayloadRules(a, httpIntegration('CONVERT_TO_TEXT', null)).binary)
})

t.test('a text that is not base64 cannot be converted to binary: 500 API_CONFIGURATION_ERROR', async (t) => {
  const err = t.throws(() => convertPayload(Buffer.from('this is a UTF8 text typed object'), 'decode', 'request')) as unknown
  t.ok(err instanceof GatewayError)
  t.equal((err as GatewayError).code, 'TG_ERR_CONTENT_CONVERSION')
  t.equal((err as GatewayError).responseType, 'API_CONFIGURATION_ERROR')
})

// java.util.Base64.getDecoder(): RFC 4648 basic alphabet, padding optional but exact.
const DECODE_CASES: readonly [string, string | null][] = [
  ['', ''],
  ['QQ==', '41'],
  ['QQ', '41'],
  ['QUI=', '4142'],
  ['QUI', '4142'],
  ['QUJD', '414243'],
  ['iVBORw0KGgo=', '89504e470d0a1a0a'],
  ['+/+/', 'fbffbf'],
  ['Q', null],
  ['QQ=', null],
  ['QUJD=', null],
  ['Q===', null],
  ['====', null],
  ['QQ==QQ==', null],
  ['QU JD', null],
  ['QUJD\n', null],
  ['-_-_', null],
  ['QUJD!', null],
]

t.test('base64 decoding follows Java Base64.getDecoder()', async (t) => {
  for (const [input, hex] of DECODE_CASES) {
    const out = decodeBase64(Buffer.from(input))
    t.equal(out === null ? null : out.toString('hex'), hex, JSON.stringify(input))
  }
})
