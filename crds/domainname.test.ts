import t, { type Test } from 'tap'
import type { Problem } from './problems.js'
import { validateResource } from './validate.js'

/** Exactly these problems (t.match alone accepts extra items). */
function expectProblems(t: Test, found: Problem[], wanted: object[]): void {
  t.equal(found.length, wanted.length, `problem count of ${JSON.stringify(found)}`)
  t.match(found, wanted)
}

const domain = (spec: Record<string, unknown>) => ({
  apiVersion: 'tollgate.dev/v1alpha1',
  kind: 'DomainName',
  metadata: { name: 'api', namespace: 'default' },
  spec: { domainName: 'api.example.com', certificateSecretRef: { name: 'api-tls' }, ...spec },
})
const problemsOf = (spec: Record<string, unknown>) => validateResource(domain(spec)).problems
const petstore = { name: 'petstore' }

t.test('valid domain names', async (t) => {
  t.same(problemsOf({}), [])
  t.same(
    problemsOf({
      domainName: '*.example.com',
      mutualTls: { truststoreSecretRef: { name: 'clients-ca', key: 'bundle.pem' } },
      securityPolicy: 'TLS_1_2',
      endpointType: 'PRIVATE',
      basePathMappings: [{ apiRef: petstore, stage: 'prod' }, { basePath: 'orders/v2', apiRef: petstore }, { basePath: "a.b~c$d!e*f'g(h)i+j-k", apiRef: petstore }],
    }),
    [],
  )
  t.same(problemsOf({ domainName: 'localhost', basePathMappings: [{ basePath: '(none)', apiRef: petstore, stage: '$default' }] }), [])
})

t.test('host names are lower case DNS names', async (t) => {
  expectProblems(t, problemsOf({ domainName: 'API.example.com' }), [{ field: 'spec.domainName', message: /^must match .*got "API.example.com"$/ }])
  expectProblems(t, problemsOf({ domainName: 'https://api.example.com' }), [{ field: 'spec.domainName' }])
  expectProblems(t, problemsOf({ domainName: 'a.*.example.com' }), [{ field: 'spec.domainName' }])
})

t.test('a certificate is required', async (t) => {
  const d = domain({}) as Record<string, any>
  delete d.spec.certificateSecretRef
  expectProblems(t, validateResource(d).problems, [{ field: 'spec.certificateSecretRef', message: 'is required' }])
})

t.test('base paths have no leading or trailing slash', async (t) => {
  expectProblems(t, problemsOf({ basePathMappings: [{ basePath: '/v1', apiRef: petstore }] }), [{ field: 'spec.basePathMappings[0].basePath', message: /^must match/ }])
  expectProblems(t, problemsOf({ basePathMappings: [{ basePath: 'v1/', apiRef: petstore }] }), [{ field: 'spec.basePathMappings[0].basePath' }])
  expectProblems(t, problemsOf({ basePathMappings: [{ basePath: 'v1//x', apiRef: petstore }] }), [{ field: 'spec.basePathMappings[0].basePath' }])
})

t.test('a base path is mapped once; absent and (none) are the same root', async (t) => {
  expectProblems(t, problemsOf({ basePathMappings: [{ apiRef: petstore }, { basePath: '(none)', apiRef: { name: 'other' } }] }), [
    { field: 'spec.basePathMappings[1].basePath', reason: 'DuplicateBasePath', message: '(none) is already mapped by spec.basePathMappings[0]' },
  ])
})

t.test('security policy and mutual TLS', async (t) => {
  expectProblems(t, problemsOf({ securityPolicy: 'TLS_1_3' }), [{ field: 'spec.securityPolicy', message: 'must be one of TLS_1_0, TLS_1_2; got "TLS_1_3"' }])
  expectProblems(t, problemsOf({ securityPolicy: 'TLS_1_0', mutualTls: { truststoreSecretRef: { name: 'ca' } } }), [
    { field: 'spec.securityPolicy', reason: 'InvalidSecurityPolicy', message: 'mutual TLS needs securityPolicy TLS_1_2' },
  ])
  expectProblems(t, problemsOf({ mutualTls: {} }), [{ field: 'spec.mutualTls.truststoreSecretRef', message: 'is required' }])
})
