import t from 'tap'
import type { ResourceObject } from '../../crds/validate.js'
import { prunableDeployments } from './deployment-history.js'

const dep = (name: string, api: string, created: string, namespace = 'default'): ResourceObject => ({
  apiVersion: 'tollgate.dev/v1alpha1',
  kind: 'ApiDeployment',
  metadata: { name, namespace, creationTimestamp: created },
  spec: { apiRef: { name: api }, snapshot: { routes: [] } },
})
const stage = (name: string, spec: Record<string, unknown>, namespace = 'default'): ResourceObject => ({
  apiVersion: 'tollgate.dev/v1alpha1',
  kind: 'Stage',
  metadata: { name, namespace },
  spec: { apiRef: { name: 'pets' }, ...spec },
})

t.test('keeps the newest N unserved per Api; served ones are kept and not counted', async (t) => {
  const resources = [
    dep('p1', 'pets', '2026-01-01T00:00:01Z'),
    dep('p2', 'pets', '2026-01-01T00:00:02Z'),
    dep('p3', 'pets', '2026-01-01T00:00:03Z'),
    dep('p4', 'pets', '2026-01-01T00:00:04Z'),
    dep('p5', 'pets', '2026-01-01T00:00:05Z'),
    dep('o1', 'other', '2026-01-01T00:00:01Z'),
    dep('p1', 'pets', '2026-01-01T00:00:01Z', 'elsewhere'),
    stage('prod', { revision: 'p1' }),
    stage('beta', { canary: { revision: 'p2', percentTraffic: 5 } }),
  ]
  t.same(prunableDeployments(resources, 2), [{ namespace: 'default', name: 'p3' }], 'p4, p5 newest; p1 and p2 served (revision, canary)')
  t.same(prunableDeployments(resources, 0), [
    { namespace: 'default', name: 'o1' },
    { namespace: 'default', name: 'p3' },
    { namespace: 'default', name: 'p4' },
    { namespace: 'default', name: 'p5' },
    { namespace: 'elsewhere', name: 'p1' },
  ], 'a Stage in another namespace does not protect a deployment of the same name')
  t.same(prunableDeployments(resources, 10), [])
})
