// Least privilege: the operator's rendered RBAC grants nothing beyond test/chart/rbac-allowed.yaml,
// grants all of it (or the operator could not work), and binds only the chart's own roles to the
// operator's ServiceAccount.
import t from 'tap'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { parse } from 'yaml'
import { defaultValues, describe, mergeValues, ofKind, renderChart, type K8sObject } from './helpers.js'
import { scenarios } from './scenarios.js'

t.setTimeout(15 * 60_000)

interface Allowed {
  scope: 'watched' | 'release' | 'cluster'
  apiGroup: string
  resources: string[]
  verbs: string[]
  resourceNames?: string[]
}

interface Rule {
  apiGroups?: string[]
  resources?: string[]
  verbs: string[]
  resourceNames?: string[]
  nonResourceURLs?: string[]
}

const allowedFile = join(import.meta.dirname, 'rbac-allowed.yaml')
const allowed = parse(readFileSync(allowedFile, 'utf8')) as Allowed[]

type Any = Record<string, any>

/** One grant: a verb on a resource of a group, optionally only on named objects. */
interface Grant {
  scope: string
  group: string
  resource: string
  verb: string
  names: string[] | undefined
}

function expand(rule: Rule, scope: string): Grant[] {
  const out: Grant[] = []
  for (const group of rule.apiGroups ?? [])
    for (const resource of rule.resources ?? [])
      for (const verb of rule.verbs) out.push({ scope, group, resource, verb, names: rule.resourceNames?.length ? rule.resourceNames : undefined })
  return out
}

function allowedGrants(leaseName: string): Grant[] {
  return allowed.flatMap((a) =>
    expand(
      { apiGroups: [a.apiGroup], resources: a.resources, verbs: a.verbs, resourceNames: a.resourceNames?.map((n) => n.replace('{leaseName}', leaseName)) },
      a.scope,
    ),
  )
}

function covered(g: Grant, allow: Grant[]): boolean {
  return allow.some(
    (a) =>
      a.scope === g.scope &&
      a.group === g.group &&
      a.resource === g.resource &&
      a.verb === g.verb &&
      (a.names === undefined || (g.names !== undefined && g.names.every((n) => a.names!.includes(n)))),
  )
}

const key = (g: Grant) => `${g.scope ? `${g.scope} ` : ''}${g.group || 'core'}/${g.resource} ${g.verb}${g.names ? ` [${g.names.join(',')}]` : ''}`

t.test('the allowed list parses and names only known scopes', async (t) => {
  t.ok(allowed.length > 0)
  for (const a of allowed) t.ok(a.scope === 'watched' || a.scope === 'release' || a.scope === 'cluster', `scope ${a.scope}`)
})

for (const sc of scenarios) {
  t.test(sc.name, async (t) => {
    const values = mergeValues(defaultValues(), sc.values) as Any
    const objs = renderChart(sc.values, { release: sc.release, namespace: sc.namespace })
    const roles = [...ofKind(objs, 'Role'), ...ofKind(objs, 'ClusterRole')]
    const bindings = [...ofKind(objs, 'RoleBinding'), ...ofKind(objs, 'ClusterRoleBinding')]
    const watched: string[] = values.watchNamespaces
    const leaseName: string = values.operator.leaderElection.leaseName
    const allow = allowedGrants(leaseName)

    /** The scopes a Role or ClusterRole may draw its grants from. */
    function scopesOf(role: K8sObject): string[] {
      // The pod index ClusterRole (operator.podNamespaceIndex) draws from "cluster" only.
      if (role.kind === 'ClusterRole') return role.metadata.name.endsWith('-pods') ? (values.operator.podNamespaceIndex ? ['cluster'] : []) : watched.length === 0 ? ['watched'] : []
      const ns = role.metadata.namespace!
      const scopes: string[] = []
      if (watched.includes(ns)) scopes.push('watched')
      if (ns === sc.namespace) scopes.push('release')
      return scopes
    }

    t.test('no rendered rule grants beyond the allowed list', async (t) => {
      t.ok(roles.length > 0, 'the operator has roles')
      for (const role of roles) {
        const scopes = scopesOf(role)
        t.ok(scopes.length > 0, `${describe(role)} sits where the operator may hold permissions`)
        t.notOk(role.aggregationRule, `${describe(role)}: no aggregation`)
        for (const rule of (role.rules as Rule[]) ?? []) {
          t.notOk(rule.nonResourceURLs?.length, `${describe(role)}: no nonResourceURLs`)
          for (const field of ['apiGroups', 'resources', 'verbs', 'resourceNames'] as const) {
            t.notOk((rule[field] ?? []).includes('*'), `${describe(role)}: no wildcard in ${field}`)
          }
          for (const g of expand(rule, '')) {
            const ok = scopes.some((scope) => covered({ ...g, scope }, allow))
            t.ok(ok, `${describe(role)} grants ${key(g)}${ok ? '' : ' — not in test/chart/rbac-allowed.yaml'}`)
          }
        }
      }
    })

    t.test('every allowed permission is granted (the operator can work)', async (t) => {
      for (const a of allow) {
        if (a.scope === 'release' && !values.operator.leaderElection.enabled) continue
        if (a.scope === 'cluster' && !values.operator.podNamespaceIndex) continue
        // Where the grant must exist: the release namespace, or the ClusterRole / each watched namespace.
        const places = a.scope === 'release' ? [sc.namespace] : a.scope === 'cluster' || watched.length === 0 ? ['(cluster)'] : watched
        for (const place of places) {
          const inPlace = roles.filter((r) => (place === '(cluster)' ? r.kind === 'ClusterRole' : r.kind === 'Role' && r.metadata.namespace === place))
          const has = inPlace.some((r) =>
            ((r.rules as Rule[]) ?? []).some((rule) =>
              expand(rule, a.scope).some((g) => g.group === a.group && g.resource === a.resource && g.verb === a.verb && covered(g, [a])),
            ),
          )
          t.ok(has, `${key(a)} granted in ${place}`)
        }
      }
    })

    t.test('bindings: only the chart\'s roles, only to the operator ServiceAccount', async (t) => {
      const sa = values.operator.serviceAccount.name || `${values.fullnameOverride || (sc.release.includes('tollgate') ? sc.release : `${sc.release}-tollgate`)}-operator`
      for (const b of bindings) {
        const ref = b.roleRef as Any
        const role = roles.find((r) => r.kind === ref.kind && r.metadata.name === ref.name && (r.kind === 'ClusterRole' || r.metadata.namespace === b.metadata.namespace))
        t.ok(role, `${describe(b)} binds ${ref.kind} ${ref.name}, which the chart renders`)
        t.same(b.subjects, [{ kind: 'ServiceAccount', name: sa, namespace: sc.namespace }], `${describe(b)} binds only the operator ServiceAccount`)
      }
      for (const role of roles) {
        t.ok(bindings.some((b) => (b.roleRef as Any).name === role.metadata.name && (b.roleRef as Any).kind === role.kind), `${describe(role)} is bound`)
      }
    })

    t.test('watchNamespaces: Roles in exactly those namespaces, no ClusterRole (but the pod index one)', async (t) => {
      const podRoles = ofKind(objs, 'ClusterRole').filter((r) => r.metadata.name.endsWith('-pods'))
      t.equal(podRoles.length, values.operator.podNamespaceIndex ? 1 : 0, 'a pods ClusterRole iff operator.podNamespaceIndex')
      const clusterRoles = ofKind(objs, 'ClusterRole').length - podRoles.length
      const clusterBindings = ofKind(objs, 'ClusterRoleBinding').filter((b) => !b.metadata.name.endsWith('-pods')).length
      if (watched.length === 0) {
        t.equal(clusterRoles, 1, 'one ClusterRole')
      } else {
        t.equal(clusterRoles, 0, 'no ClusterRole')
        t.equal(clusterBindings, 0, 'no ClusterRoleBinding')
        const nsWithWatchRole = ofKind(objs, 'Role')
          .filter((r) => ((r.rules as Rule[]) ?? []).some((rule) => rule.apiGroups?.includes('tollgate.dev')))
          .map((r) => r.metadata.namespace)
          .sort()
        t.same(nsWithWatchRole, [...watched].sort())
      }
      const leaseRoles = ofKind(objs, 'Role').filter((r) => ((r.rules as Rule[]) ?? []).some((rule) => rule.resources?.includes('leases')))
      t.equal(leaseRoles.length, values.operator.leaderElection.enabled ? 1 : 0, 'one Lease role iff leader election')
      for (const r of leaseRoles) t.equal(r.metadata.namespace, sc.namespace, 'Lease role in the release namespace')
    })
  })
}

t.test('the check catches a grant beyond the list', async (t) => {
  const extra: Grant = { scope: 'watched', group: '', resource: 'secrets', verb: 'update', names: undefined }
  t.notOk(covered(extra, allowedGrants('tollgate-operator')), 'secrets update is not allowed (create is, for generated keys)')
  const unnamedLease: Grant = { scope: 'release', group: 'coordination.k8s.io', resource: 'leases', verb: 'update', names: undefined }
  t.notOk(covered(unnamedLease, allowedGrants('tollgate-operator')), 'updating any Lease is not allowed, only the named one')
  const otherLease: Grant = { ...unnamedLease, names: ['someone-else'] }
  t.notOk(covered(otherLease, allowedGrants('tollgate-operator')))
  const leaseInWatched: Grant = { ...unnamedLease, scope: 'watched', verb: 'create' }
  t.notOk(covered(leaseInWatched, allowedGrants('tollgate-operator')), 'Leases only in the release namespace')
})
