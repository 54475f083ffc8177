// The contract example the compiler and the proxy are written against: it must validate
// exactly as written.
import t from 'tap'
import YAML from 'yaml'
import { validateResource, type ResourceObject } from './validate.js'

const CONTRACT = `apiVersion: tollgate.dev/v1alpha1
kind: Api
metadata: {name: petstore, namespace: default}
spec:
  apiId: petstore01
  protocol: REST
  routes:
    - path: /pets
      method: GET
      integration: {type: HTTP_PROXY, httpMethod: GET, uri: "http://127.0.0.1:9000/pets"}
    - path: /pets/{petId}
      method: GET
      integration:
        type: HTTP_PROXY
        httpMethod: GET
        uri: "http://\${stageVariables.backend}/pets/{petId}"
        requestParameters: {integration.request.path.petId: method.request.path.petId}
    - path: /{proxy+}
      method: ANY
      integration: {type: HTTP_PROXY, httpMethod: ANY, uri: "http://127.0.0.1:9000/{proxy}"}
    - path: /health
      method: GET
      integration:
        type: MOCK
        requestTemplates: {application/json: '{"statusCode": 200}'}
        responses:
          - statusCode: "200"
            responseTemplates: {application/json: '{"ok": true}'}
---
apiVersion: tollgate.dev/v1alpha1
kind: Stage
metadata: {name: petstore-prod, namespace: default}
spec:
  apiRef: {name: petstore}
  stageName: prod
  variables: {backend: "127.0.0.1:9000"}
`

t.test('the contract example validates as written', async (t) => {
  const docs = YAML.parseAllDocuments(CONTRACT).map((d) => d.toJS() as ResourceObject)
  t.same(docs.map((d) => d.kind), ['Api', 'Stage'])
  for (const doc of docs) t.same(validateResource(doc), { ok: true, kind: validateResource(doc).kind, problems: [] }, String(doc.kind))
  const api = docs[0] as { spec: { routes: { integration: { uri?: string; requestParameters?: Record<string, string> } }[] } }
  t.equal(api.spec.routes[1]?.integration.uri, 'http://${stageVariables.backend}/pets/{petId}', 'the template survives YAML')
  t.same(api.spec.routes[1]?.integration.requestParameters, { 'integration.request.path.petId': 'method.request.path.petId' })
})
