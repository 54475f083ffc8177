// Mapping-template cases as data: template + input → exact output, each with the AWS or Velocity
// documentation (or the JDK behaviour) it encodes. Run by cases.test.ts.
import type { MappingData } from './apigateway.js'
import type { RenderLimits } from './render.js'

// Sources.
const AWS_VARS = 'AWS: Variables for data transformations (https://docs.aws.amazon.com/apigateway/latest/developerguide/api-gateway-mapping-template-reference.html)'
const AWS_EXAMPLES = 'AWS: Examples using variables for mapping template transformations (https://docs.aws.amazon.com/apigateway/latest/developerguide/api-gateway-mapping-variable-examples.html)'
const AWS_MODELS = 'AWS: Mapping template transformations for REST APIs (https://docs.aws.amazon.com/apigateway/latest/developerguide/models-mappings.html)'
const AWS_OVERRIDE = 'AWS: Override request and response parameters and status codes (https://docs.aws.amazon.com/apigateway/latest/developerguide/apigateway-override-request-response-parameters.html)'
const AWS_QUOTAS = 'AWS: Quotas for configuring and running a REST API — #foreach iterations 1,000 (https://docs.aws.amazon.com/apigateway/latest/developerguide/api-gateway-execution-service-limits-table.html)'
const VTL_REF = 'Velocity 1.7 VTL reference (https://velocity.apache.org/engine/1.7/vtl-reference.html)'
const VTL_GUIDE = 'Velocity 1.7 user guide (https://velocity.apache.org/engine/1.7/user-guide.html)'
const VTL_GRAMMAR = 'Velocity 1.7 Parser.jjt: RPAREN, END and ELSE tokens eat trailing spaces + newline; SET_DIRECTIVE includes leading spaces'
const VTL_MATH = 'Velocity 1.7 MathUtils / ASTDivNode: integer operands give integer results, division by zero is null'
const VTL_SET = 'Velocity 1.7 #set: a null right-hand side leaves the left-hand side unchanged (directive.set.null.allowed=false)'
const VTL_FOREACH = 'Velocity 1.7 #foreach: $foreach.index/count/hasNext, $velocityCount, maps iterate their values'
const JSON_SMART = 'json-smart (JSONPath in API Gateway): JSON arrays print as JSON, objects as Java maps; 1.0 stays a Double'
const JAVA_STRING = 'JDK java.lang.String (https://docs.oracle.com/javase/8/docs/api/java/lang/String.html)'
const JAVA_DOUBLE = 'JDK Double.toString (https://docs.oracle.com/javase/8/docs/api/java/lang/Double.html#toString-double-)'
const JAVA_COLLECTIONS = 'JDK AbstractCollection.toString / AbstractMap.toString: [a, b] and {k=v, k2=v2}'
const JAVA_URL = 'JDK java.net.URLEncoder / URLDecoder with UTF-8'
const COMMONS_LANG = 'commons-lang StringEscapeUtils.escapeJavaScript (what $util.escapeJavaScript is): escapes \' " \\ / and non-ASCII as \\uXXXX'
const LIMITS = 'Tollgate limits (docs/mapping-templates.md): a hostile template fails the request instead of hanging the proxy'

export interface TemplateCase {
  readonly name: string
  readonly template: string
  /** Merged over BASE. */
  readonly data?: Partial<MappingData>
  readonly limits?: Partial<RenderLimits>
  /** Exact output. */
  readonly output?: string
  /** The render fails with this reason (limit, error, input). */
  readonly error?: 'limit' | 'error' | 'input'
  readonly status?: number
  readonly requestHeaders?: Readonly<Record<string, string | string[]>>
  readonly responseHeaders?: Readonly<Record<string, string | string[]>>
  readonly source: string
}

const PETS = '{\n  "pets": [\n    {"id": 1, "name": "Fido", "price": 249.99},\n    {"id": 2, "name": "Rex", "price": 124.5}\n  ],\n  "count": 2,\n  "fee": 1.0,\n  "owner": {"name": "Ann", "email": "ann@example.com"},\n  "tag": null,\n  "key with space": "spaced"\n}'

export const BASE: MappingData = {
  body: PETS,
  path: { petId: '42', id: 'from-path' },
  querystring: { q: 'dog', id: 'from-query', page: '2' },
  header: { Accept: 'application/json', 'X-Custom': 'custom-value', page: 'from-header' },
  context: {
    requestId: 'c6af9ac6-7b61-11e6-9a41-93e8deadbeef',
    apiId: 'abc123',
    stage: 'prod',
    resourcePath: '/pets/{petId}',
    httpMethod: 'GET',
    path: '/prod/pets/42',
    requestTimeEpoch: 1700000000000,
    identity: { sourceIp: '192.0.2.1', userAgent: 'curl/8.0', user: '' },
    authorizer: { principalId: 'user-1', role: 'admin', claims: { email: 'ann@example.com', sub: 'abc' } },
  },
  stageVariables: { version: 'v2', url: 'example.com' },
}

export const CASES: readonly TemplateCase[] = [
  // ---- $input ----
  { name: '$input.body is the raw payload', template: '$input.body', data: { body: '{ "a" : 1 }' }, output: '{ "a" : 1 }', source: AWS_VARS },
  { name: "$input.json('$') is the payload as compact JSON", template: "$input.json('$')", data: { body: '{ "a" : [1, 2],\n "b": "x" }' }, output: '{"a":[1,2],"b":"x"}', source: AWS_VARS },
  { name: "$input.json of a string keeps its quotes", template: `"name": $input.json('$.owner.name')`, output: '"name": "Ann"', source: AWS_VARS },
  { name: '$input.json of an array element object', template: "$input.json('$.pets[0]')", output: '{"id":1,"name":"Fido","price":249.99}', source: AWS_VARS },
  { name: '$input.json with [*] yields a JSON array', template: "$input.json('$.pets[*].name')", output: '["Fido","Rex"]', source: AWS_VARS },
  { name: '$input.json with a deep scan', template: "$input.json('$..name')", output: '["Fido","Rex","Ann"]', source: AWS_VARS },
  { name: 'JSONPath filters select array items', template: "$input.json('$.pets[?(@.price < 200)].name') $input.json(\"$.pets[?(@.name == 'Fido')].id\") $input.json('$.pets[?(@.id)].id')", output: '["Rex"] [1] [1,2]', source: `${AWS_VARS} (JSONPath, as Jayway evaluates it)` },
  { name: 'JSONPath slices, unions and negative indexes', template: "$input.json('$.pets[0:1].name') $input.json('$.pets[-1].name') $input.json('$.pets[0,1].id') $input.json(\"$.owner['name','email']\")", output: '["Fido"] "Rex" [1,2] ["Ann","ann@example.com"]', source: `${AWS_VARS} (JSONPath, as Jayway evaluates it)` },
  { name: "$input.json with ['bracket'] notation", template: "$input.json(\"$['key with space']\")", output: '"spaced"', source: AWS_VARS },
  { name: '$input.json of a path that does not exist is an empty JSON string', template: "$input.json('$.nothing')", output: '""', source: `${AWS_VARS}; observed behaviour (LocalStack parity tests)` },
  { name: '$input.json of null', template: "$input.json('$.tag')", output: 'null', source: AWS_VARS },
  { name: '$input.json of an empty payload is {}', template: "$input.json('$')", data: { body: '' }, output: '{}', source: `${AWS_EXAMPLES} (GET requests without a body map to "body": {})` },
  { name: "$input.path('$') prints as a Java map, arrays inside as JSON", template: "$input.path('$')", data: { body: '{"a": 1, "b": [{"c": 5}]}' }, output: '{a=1, b=[{"c":5}]}', source: JSON_SMART },
  { name: '$input.path returns objects usable in VTL', template: "#set($inputRoot = $input.path('$'))$inputRoot.owner.name has $inputRoot.pets.size() pets", output: 'Ann has 2 pets', source: AWS_MODELS },
  { name: '$input.path of a JSON number with a fraction stays a Double', template: "$input.path('$.fee') $input.path('$.pets[1].price')", output: '1.0 124.5', source: JSON_SMART },
  { name: '$input.path integers do integer arithmetic', template: "#set($n = $input.path('$.count') / 3)$n", output: '0', source: VTL_MATH },
  { name: 'a missing $input.path prints the reference, $! prints nothing', template: "[$input.path('$.nothing')][$!input.path('$.nothing')]", output: "[$input.path('$.nothing')][]", source: VTL_REF },
  { name: 'foreach over $input.path items (the photos example)', template: "#set($inputRoot = $input.path('$'))\n[\n#foreach($elem in $inputRoot.pets)\n  {\"id\": $elem.id, \"label\": \"$elem.name\"}#if($foreach.hasNext),#end\n\n#end\n]", output: '[\n  {"id": 1, "label": "Fido"},\n  {"id": 2, "label": "Rex"}\n]', source: AWS_MODELS },
  { name: 'changing what $input.path returned does not change the payload', template: "#set($r = $input.path('$'))#set($old = $r.put('x', 1))$r.x $input.json('$')", data: { body: '{"a":1}' }, output: '1 {"a":1}', source: `${AWS_VARS} ($input.path reads the payload; it does not write it)` },
  { name: 'a payload that is not JSON fails $input.json', template: "$input.json('$')", data: { body: 'not json' }, error: 'input', source: 'AWS: "Could not parse request body into json" for non-JSON payloads read by $input.json / $input.path' },
  { name: '$input.params(x) reads a path parameter', template: "$input.params('petId')", output: '42', source: AWS_VARS },
  { name: '$input.params(x) reads a query string parameter', template: "$input.params('q')", output: 'dog', source: AWS_VARS },
  { name: '$input.params(x) reads a header', template: "$input.params('X-Custom')", output: 'custom-value', source: AWS_VARS },
  { name: '$input.params(x) looks in path before querystring', template: "$input.params('id')", output: 'from-path', source: `${AWS_VARS} (path, query string, header — in that order)` },
  { name: '$input.params(x) looks in querystring before header', template: "$input.params('page')", output: '2', source: `${AWS_VARS} (path, query string, header — in that order)` },
  { name: '$input.params(x) of a missing parameter is empty', template: "[$input.params('nope')]", output: '[]', source: AWS_VARS },
  { name: '$input.params() maps path, querystring and header', template: '$input.params().querystring', output: '{q=dog, id=from-query, page=2}', source: AWS_VARS },
  {
    name: 'all request parameters to JSON (example 2)',
    template:
      '#set($allParams = $input.params())\n{\n"params" : {\n#foreach($type in $allParams.keySet())\n    #set($params = $allParams.get($type))\n"$type" : {\n    #foreach($paramName in $params.keySet())\n    "$paramName" : "$util.escapeJavaScript($params.get($paramName))"\n        #if($foreach.hasNext),#end\n    #end\n}\n    #if($foreach.hasNext),#end\n#end\n}\n}',
    data: { path: { petId: '7' }, querystring: {}, header: { Accept: '*/*' } },
    output: '{\n"params" : {\n"path" : {\n        "petId" : "7"\n            }\n    ,"querystring" : {\n    }\n    ,"header" : {\n        "Accept" : "*\\/*"\n            }\n    }\n}',
    source: AWS_EXAMPLES,
  },
  // ---- $util ----
  { name: '$util.escapeJavaScript escapes double and single quotes', template: "$util.escapeJavaScript($input.path('$.s'))", data: { body: '{"s": "He said \\"hi\\", it\'s"}' }, output: "He said \\\"hi\\\", it\\'s", source: `${AWS_VARS}; ${COMMONS_LANG}` },
  { name: '$util.escapeJavaScript escapes control characters and /', template: '$util.escapeJavaScript($input.path(\'$.s\'))', data: { body: '{"s": "a\\nb\\tc/d\\\\e"}' }, output: 'a\\nb\\tc\\/d\\\\e', source: COMMONS_LANG },
  { name: '$util.escapeJavaScript escapes non-ASCII as \\uXXXX', template: "$util.escapeJavaScript('café ☕')", output: 'caf\\u00E9 \\u2615', source: COMMONS_LANG },
  { name: "the AWS recipe to keep single quotes: .replaceAll(\"\\\\'\",\"'\")", template: `$util.escapeJavaScript("it's").replaceAll("\\\\'","'")`, output: "it's", source: AWS_VARS },
  { name: '$util.parseJson turns a JSON string into an object', template: "#set($o = $util.parseJson($input.path('$.inner')))$o.a $o.list.get(1)", data: { body: '{"inner": "{\\"a\\": 1, \\"list\\": [1, 2, 3]}"}' }, output: '1 2', source: AWS_VARS },
  { name: '$util.parseJson of invalid JSON fails the render', template: "$util.parseJson('{nope')", error: 'error', source: AWS_VARS },
  { name: '$util.urlEncode is URLEncoder (space as +)', template: "$util.urlEncode('a b&c=d/é*~')", output: 'a+b%26c%3Dd%2F%C3%A9*%7E', source: `${AWS_VARS}; ${JAVA_URL}` },
  { name: '$util.urlDecode is URLDecoder (+ as space)', template: "$util.urlDecode('a+b%26c%3D%C3%A9')", output: 'a b&c=é', source: `${AWS_VARS}; ${JAVA_URL}` },
  { name: '$util.base64Encode', template: "$util.base64Encode('hello world')", output: 'aGVsbG8gd29ybGQ=', source: AWS_VARS },
  { name: '$util.base64Decode', template: "$util.base64Decode('aGVsbG8gd29ybGQ=')", output: 'hello world', source: AWS_VARS },
  // ---- $context and $stageVariables ----
  {
    name: 'context variables to the backend (example 1)',
    template: '{\n    "stage" : "$context.stage",\n    "request_id" : "$context.requestId",\n    "api_id" : "$context.apiId",\n    "resource_path" : "$context.resourcePath",\n    "http_method" : "$context.httpMethod",\n    "source_ip" : "$context.identity.sourceIp",\n    "user-agent" : "$context.identity.userAgent",\n    "user" : "$context.identity.user"\n}',
    output: '{\n    "stage" : "prod",\n    "request_id" : "c6af9ac6-7b61-11e6-9a41-93e8deadbeef",\n    "api_id" : "abc123",\n    "resource_path" : "/pets/{petId}",\n    "http_method" : "GET",\n    "source_ip" : "192.0.2.1",\n    "user-agent" : "curl/8.0",\n    "user" : ""\n}',
    source: AWS_EXAMPLES,
  },
  { name: '$context.authorizer.principalId and a Lambda authorizer context key', template: '$context.authorizer.principalId is $context.authorizer.role', output: 'user-1 is admin', source: AWS_VARS },
  { name: '$context.authorizer.claims.property', template: '$context.authorizer.claims.email', output: 'ann@example.com', source: AWS_VARS },
  { name: '$context.requestTimeEpoch is a number', template: '#set($s = $context.requestTimeEpoch / 1000)$s', output: '1700000000', source: AWS_VARS },
  { name: '$stageVariables.name', template: 'https://$stageVariables.url/$stageVariables.version', output: 'https://example.com/v2', source: AWS_VARS },
  // ---- overrides ----
  {
    name: '$context.responseOverride.status from the body (example 1)',
    template: '#set($inputRoot = $input.path(\'$\'))\n$input.json("$")\n#if($inputRoot.toString().contains("error"))\n#set($context.responseOverride.status = 400)\n#end',
    data: { body: '{"errors": [{"key": "GetPetRequest.petId", "message": "The value is out of range."}]}' },
    output: '{"errors":[{"key":"GetPetRequest.petId","message":"The value is out of range."}]}\n',
    status: 400,
    source: AWS_OVERRIDE,
  },
  { name: '$context.responseOverride.header.X', template: '#set($context.responseOverride.header.X-Total = "$input.path(\'$.count\')")ok', output: 'ok', responseHeaders: { 'X-Total': '2' }, source: AWS_OVERRIDE },
  { name: '$context.requestOverride.header.X and a multi-value header', template: '#set($context.requestOverride.header.X-User = $context.authorizer.principalId)#set($context.requestOverride.header.multi = ["a", "b"])', output: '', requestHeaders: { 'X-User': 'user-1', multi: ['a', 'b'] }, source: AWS_OVERRIDE },
  { name: 'overriding the same parameter twice fails', template: '#set($context.responseOverride.status = 400)#set($context.responseOverride.status = 401)', error: 'error', source: `${AWS_OVERRIDE} ("Overrides are final ... API Gateway returns a 5XX response")` },
  // ---- references and escaping ----
  { name: 'an undefined reference prints as written; quiet prints nothing', template: '$foo|$!foo|${foo}|$!{foo}|$foo.bar()', output: '$foo||${foo}||$foo.bar()', source: VTL_REF },
  { name: 'formal notation separates a reference from text', template: '#set($n = "pet")${n}s $ns', output: 'pets $ns', source: VTL_GUIDE },
  { name: '\\$ escapes a defined reference; an undefined one keeps its backslash', template: '#set($a = 1)\\$a \\$b \\\\$a', output: '$a \\$b \\1', source: VTL_GUIDE },
  { name: '\\# escapes a directive', template: '\\#if($x) \\#set', output: '#if($x) #set', source: VTL_GUIDE },
  { name: 'comments ## and #* *#', template: 'a ## line comment\nb #* block\ncomment *#c', output: 'a b c', source: VTL_REF },
  { name: 'unparsed content #[[ ]]#', template: '#[[ $x #if ]]#', output: ' $x #if ', source: VTL_REF },
  { name: 'hyphens belong to identifiers in Velocity 1.7', template: '#set($a = 1)$a-b $a -b', output: '$a-b 1 -b', source: 'Velocity 1.7 Parser.jjt: IDENTIFIER_CHAR includes "-"' },
  { name: 'a $ or # not followed by a name is text', template: 'cost: $5 #1 100%', output: 'cost: $5 #1 100%', source: VTL_GUIDE },
  // ---- literals and printing ----
  { name: 'double quotes interpolate, single quotes do not', template: '#set($n = "Ann")#set($a = "Hi $n")#set($b = \'Hi $n\')$a / $b', output: 'Hi Ann / Hi $n', source: VTL_REF },
  { name: 'a list literal prints as a Java List', template: '#set($l = [1, "two", true])$l', output: '[1, two, true]', source: JAVA_COLLECTIONS },
  { name: 'a map literal prints as a Java Map', template: '#set($m = {"a": 1, "b": [1, 2], "c": {"d": "e"}})$m', output: '{a=1, b=[1, 2], c={d=e}}', source: JAVA_COLLECTIONS },
  { name: 'ranges, ascending and descending', template: '[1..4] [3..1]', output: '[1..4] [3..1]', source: `${VTL_REF} (a range is only an expression)` },
  { name: 'a range as a value', template: '#set($r = [1..4])#set($d = [3..1])$r $d', output: '[1, 2, 3, 4] [3, 2, 1]', source: VTL_REF },
  { name: 'booleans print as true/false', template: '#set($t = true)#set($f = !$t)$t $f', output: 'true false', source: VTL_REF },
  // ---- numbers ----
  { name: 'integer division truncates', template: '#set($a = 7 / 2)#set($b = -7 / 2)#set($c = 7 % 3)$a $b $c', output: '3 -3 1', source: VTL_MATH },
  { name: 'a double operand makes a double result', template: '#set($a = 7.0 / 2)#set($b = 0.1 + 0.2)#set($c = 2 * 1.5)$a $b $c', output: '3.5 0.30000000000000004 3.0', source: `${VTL_MATH}; ${JAVA_DOUBLE}` },
  { name: 'division by zero is null, so #set keeps the old value', template: '#set($x = 5)#set($x = 1 / 0)$x', output: '5', source: `${VTL_MATH}; ${VTL_SET}` },
  { name: 'Double.toString switches to E notation', template: '#set($a = 10000000000.0)#set($b = 0.00001)#set($c = 1234567.0)#set($d = 12345678.0)$a $b $c $d', output: '1.0E10 1.0E-5 1234567.0 1.2345678E7', source: JAVA_DOUBLE },
  { name: 'string + number concatenates', template: '#set($s = "a" + 1)#set($t = 2 + "b")$s $t', output: 'a1 2b', source: 'Velocity 1.7 ASTAddNode: a String operand concatenates' },
  // ---- directives ----
  { name: '#if / #elseif / #else', template: "#set($n = $input.path('$.count'))#if($n > 5)many#elseif($n == 2)two#else other#end", output: 'two', source: VTL_REF },
  { name: 'and / or / not / eq / ne operators', template: '#set($a = true)#set($b = false)#if($a and not $b)1#end#if($b or $a)2#end#if(1 eq 1 && 2 ne 3)3#end#if(!$b)4#end', output: '1234', source: VTL_REF },
  { name: 'Velocity 1.7 truthiness: only null and false are false', template: '#if("")empty-string #end#if(0)zero #end#if($missing)missing#end', output: 'empty-string zero ', source: VTL_REF },
  { name: '== compares numbers by value and other types by toString', template: '#if(1 == 1.0)a#end#if(1 == "1")b#end#if("x" == "x")c#end', output: 'abc', source: 'Velocity 1.7 ASTEQNode: different classes compare by toString()' },
  { name: '#set with a null right-hand side leaves the variable', template: '#set($v = "kept")#set($v = $missing)$v', output: 'kept', source: VTL_SET },
  { name: '#foreach with $foreach.index, count and hasNext', template: '#foreach($x in ["a", "b", "c"])$foreach.count:$foreach.index:$x#if($foreach.hasNext),#end#end', output: '1:0:a,2:1:b,3:2:c', source: VTL_FOREACH },
  { name: '$velocityCount counts from 1', template: '#foreach($x in [5, 6])$velocityCount#end', output: '12', source: VTL_FOREACH },
  { name: '#foreach over a map iterates its values', template: '#set($m = {"a": 1, "b": 2})#foreach($v in $m)$v#end', output: '12', source: VTL_FOREACH },
  { name: 'nested #foreach', template: '#foreach($i in [1..2])#foreach($j in ["a", "b"])$i$j #end#end', output: '1a 1b 2a 2b ', source: VTL_FOREACH },
  { name: '#break leaves the loop', template: '#foreach($i in [1..10])#if($i == 4)#break#end$i#end', output: '123', source: VTL_REF },
  { name: '#stop ends the template', template: 'a#stop b', output: 'a', source: VTL_REF },
  { name: '#define renders its block where referenced', template: '#define($greet)Hello $who#end#set($who = "Ann")$greet!', output: 'Hello Ann!', source: VTL_REF },
  { name: '#macro with arguments', template: '#macro(pair $k $v)"$k": "$v"#end{#pair("a" "1"), #pair("b", $input.params(\'q\'))}', output: '{"a": "1", "b": "dog"}', source: VTL_REF },
  // ---- whitespace ----
  { name: 'directive lines eat their newline (Velocity 1.7)', template: '#set($x = 1)\n#if($x == 1)\nyes\n#else\nno\n#end\ndone', output: 'yes\ndone', source: VTL_GRAMMAR },
  { name: '#set eats spaces before it only where a token starts', template: '{\n  #set($a = 1)\n  "a": $a\n#if(true)\n  #set($b = 2)\n  "b": $b\n#end\n}', output: '{\n    "a": 1\n  "b": 2\n}', source: VTL_GRAMMAR },
  { name: 'a foreach line with a trailing #end joins lines', template: '[\n#foreach($i in [1..3])\n  "$i"#if($foreach.hasNext),#end\n#end\n]', output: '[\n  "1",  "2",  "3"]', source: VTL_GRAMMAR },
  // ---- Java methods ----
  { name: 'String length, isEmpty, contains, startsWith, endsWith', template: "#set($s = 'Hello World')$s.length() $s.isEmpty() $s.contains('lo W') $s.startsWith('He') $s.endsWith('x')", output: '11 false true true false', source: JAVA_STRING },
  { name: 'String indexOf, substring, charAt', template: "#set($s = 'Hello World')$s.indexOf('o') $s.lastIndexOf('o') $s.substring(6) $s.substring(0, 5) $s.charAt(4)", output: '4 7 World Hello o', source: JAVA_STRING },
  { name: 'String toUpperCase, toLowerCase, trim, replace', template: "#set($s = '  Hi There  ')[$s.trim()] $s.trim().toUpperCase() $s.trim().toLowerCase() $s.trim().replace('e', '3')", output: '[Hi There] HI THERE hi there Hi Th3r3', source: JAVA_STRING },
  { name: 'String equals, equalsIgnoreCase, matches (whole string)', template: "#set($s = 'abc123')$s.equals('abc123') $s.equalsIgnoreCase('ABC123') $s.matches('[a-z]+\\d+') $s.matches('\\d+')", output: 'true true true false', source: JAVA_STRING },
  { name: 'String replaceAll with a Java regex and $1 groups', template: "#set($s = 'john.smith@example.com')$s.replaceAll('([a-z]+)\\.([a-z]+)@.*', '$2, $1') $s.replaceFirst('[aeiou]', '*')", output: 'smith, john j*hn.smith@example.com', source: JAVA_STRING },
  { name: 'String split drops trailing empty strings', template: "#set($s = 'a,b,,c,,')#set($p = $s.split(','))$p.size() $p.get(2)|$p.get(3)", output: '4 |c', source: JAVA_STRING },
  { name: 'String split keeps a leading empty string, not for a zero-width match', template: "#set($s = ',a,b')#set($p = $s.split(','))$p.size():[$p.get(0)] #set($t = 'abc')#set($q = $t.split(''))$q.size() $q.get(0)", output: '3:[] 3 a', source: JAVA_STRING },
  { name: 'String split with a limit', template: "#set($s = 'a,b,c')#set($p = $s.split(',', 2))$p.size() $p.get(1)", output: '2 b,c', source: JAVA_STRING },
  { name: 'Java regex inline flags and POSIX classes', template: "#set($s = 'Hello, World!')$s.matches('(?i)hello.*') $s.replaceAll('\\p{Punct}', '') $s.replaceAll('\\s+', '_')", output: 'true Hello World Hello,_World!', source: 'JDK java.util.regex.Pattern (https://docs.oracle.com/javase/8/docs/api/java/util/regex/Pattern.html)' },
  { name: 'a regex backreference is refused (it could not run in linear time)', template: "#set($s = 'aa')$s.matches('(a)\\1')", error: 'error', source: LIMITS },
  { name: 'substring out of range fails the render (StringIndexOutOfBoundsException)', template: "#set($s = 'abc')$s.substring(5)", error: 'error', source: JAVA_STRING },
  { name: 'an unknown method yields null: the reference prints as written', template: "#set($s = 'abc')$s.noSuchMethod()", output: '$s.noSuchMethod()', source: VTL_REF },
  { name: 'List size, get, isEmpty, contains, add', template: '#set($l = [1, 2])$l.size() $l.get(0) $l.isEmpty() $l.contains(2) $l.add(3) $l', output: '2 1 false true true [1, 2, 3]', source: JAVA_COLLECTIONS },
  { name: 'list index notation; out of range fails', template: '#set($l = ["a", "b"])$l[1] $l[5]', error: 'error', source: 'Velocity 1.7 index notation calls List.get (IndexOutOfBoundsException)' },
  { name: 'Map get, put, keySet, values, containsKey, size', template: '#set($m = {"a": 1})#set($old = $m.put("b", 2))$m.get("b") $m.keySet() $m.values() $m.containsKey("a") $m.size() $m.a $m["b"]', output: '2 [a, b] [1, 2] true 2 1 2', source: JAVA_COLLECTIONS },
  { name: 'Map entrySet entries', template: '#set($m = {"a": 1, "b": 2})#foreach($e in $m.entrySet())$e.key=$e.value;#end $m.entrySet()', output: 'a=1;b=2; [a=1, b=2]', source: JAVA_COLLECTIONS },
  { name: 'the .empty property calls isEmpty()', template: "#set($l = [])#set($m = {})$l.empty $m.empty 'x'", output: 'true true \'x\'', source: 'Velocity 1.7 property lookup: getX(), then isX()' },
  { name: '#set on a map property and a list index', template: '#set($m = {})#set($m.k = "v")#set($l = [1, 2])#set($l[0] = 9)$m $l', output: '{k=v} [9, 2]', source: VTL_REF },
  // ---- limits ----
  { name: '#foreach stops after 1,000 iterations', template: '#foreach($i in [1..5000])#set($last = $i)#end$last', output: '1000', source: AWS_QUOTAS },
  { name: '#foreach over a longer list stops after 1,000 iterations', template: '#set($c = 0)#foreach($i in [1..1500])#set($c = $c + 1)#end#set($l = [1..1500])#foreach($x in $l)#set($c = $c + 1)#end$c', output: '2000', source: AWS_QUOTAS },
  { name: 'output over the cap fails the render', template: '#foreach($i in [1..1000])0123456789#end', limits: { maxOutputChars: 5000 }, error: 'limit', source: LIMITS },
  { name: 'string doubling over the cap fails the render', template: '#set($s = "xxxxxxxxxx")#foreach($i in [1..40])#set($s = "$s$s")#end$s.length()', error: 'limit', source: LIMITS },
  { name: 'nested loops over the time budget fail the render', template: '#foreach($a in [1..1000])#foreach($b in [1..1000])#foreach($c in [1..1000])#end#end#end', limits: { timeBudgetMs: 20 }, error: 'limit', source: LIMITS },
  { name: 'unbounded macro recursion fails the render', template: '#macro(deep $n)#deep($n)#end#deep(1)', error: 'limit', source: LIMITS },
  { name: 'a huge range as a value fails the render', template: '#set($r = [1..100000000])$r.size()', error: 'limit', source: LIMITS },
  { name: 'printing a value with exponential shared structure fails the render', template: '#set($l = [1])#foreach($i in [1..40])#set($l = [$l, $l])#end$l', error: 'limit', source: LIMITS },
  { name: 'comparing values with exponential shared structure fails the render', template: '#set($a = [1])#set($b = [1])#foreach($i in [1..40])#set($a = [$a, $a])#set($b = [$b, $b])#end#if($a == $b)same#end', error: 'limit', source: LIMITS },
  { name: 'a replace that would build a huge string fails before building it', template: '#set($s = "0123456789")#foreach($i in [1..15])#set($s = "$s$s")#end$s.replace("", $s).length()', error: 'limit', source: LIMITS },
  { name: 'replaceAll that would build a huge string fails', template: '#set($s = "0123456789")#foreach($i in [1..15])#set($s = "$s$s")#end$s.replaceAll("\\d", $s).length()', error: 'limit', source: LIMITS },
  { name: 'a backtracking regex finishes (linear-time fallback)', template: "#set($s = 'aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa!')$s.matches('(a+)+b')", output: 'false', source: LIMITS },
]
