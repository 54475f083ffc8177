// The chart rendered for several value sets: every object valid against the Kubernetes schemas
// (no unknown fields), every pod locked down and probed, Services and selectors wired to the
// pods they mean, and the command-line contract of both programs.
import t from 'tap'
import {
  defaultValues,
  describe,
  find,
  flags,
  getRenderer,
  matches,
  mergeValues,
  ofKind,
  podTemplates,
  renderChart,
  renderChartRaw,
  schemaProblems,
  strictFieldProblems,
  type K8sObject,
} from './helpers.js'
import { scenarios } from './scenarios.js'

t.setTimeout(15 * 60_000) // the first run may build minihelm

const clusterScoped = new Set(['ClusterRole', 'ClusterRoleBinding', 'CustomResourceDefinition', 'Namespace'])

type Any = Record<string, any>

function container(obj: K8sObject, name: string): Any {
  const c = (obj.spec as Any).template.spec.containers.find((x: Any) => x.name === name)
  if (!c) throw new Error(`${describe(obj)} has no container ${name}`)
  return c
}

function portNumber(c: Any, port: string | number): number | undefined {
  if (typeof port === 'number') return port
  return (c.ports ?? []).find((p: Any) => p.name === port)?.containerPort
}

t.test(`renderer: ${getRenderer().kind}`, async (t) => {
  t.ok(getRenderer().bin)
})

for (const sc of scenarios) {
  t.test(sc.name, async (t) => {
    const values = mergeValues(defaultValues(), sc.values) as Any
    const objs = renderChart(sc.values, { release: sc.release, namespace: sc.namespace })
    const full = values.fullnameOverride || (sc.release.includes('tollgate') ? sc.release : `${sc.release}-tollgate`)
    const names = {
      operator: `${full}-operator`,
      proxy: `${full}-proxy`,
      redis: `${full}-redis`,
      token: values.streamToken.existingSecret || `${full}-stream-token`,
    }

    t.test('every object is valid against its Kubernetes schema', async (t) => {
      t.same(schemaProblems(objs), [])
    })

    t.test('no object has a field its kind does not define', async (t) => {
      t.same(strictFieldProblems(objs), [])
    })

    t.test('namespaced objects are in the release namespace (watched-namespace RBAC aside)', async (t) => {
      for (const o of objs) {
        if (clusterScoped.has(o.kind)) {
          t.notOk(o.metadata.namespace, `${describe(o)} is cluster-scoped`)
        } else if ((o.kind === 'Role' || o.kind === 'RoleBinding') && o.metadata.name === names.operator && values.watchNamespaces.length) {
          t.ok(values.watchNamespaces.includes(o.metadata.namespace), `${describe(o)} is in a watched namespace`)
        } else if (o.kind === 'ConfigMap' && o.metadata.name === `${full}-dashboard` && values.metrics.dashboard.namespace) {
          t.equal(o.metadata.namespace, values.metrics.dashboard.namespace, `${describe(o)} is in the namespace Grafana's sidecar watches`)
        } else {
          t.equal(o.metadata.namespace, sc.namespace, `${describe(o)} namespace`)
        }
      }
      const keys = objs.map((o) => `${o.apiVersion}/${o.kind}/${o.metadata.namespace ?? ''}/${o.metadata.name}`)
      t.same(keys.filter((k, i) => keys.indexOf(k) !== i), [], 'no object is rendered twice')
      for (const o of objs) {
        t.ok(o.metadata.name.length <= 63, `${describe(o)}: name within 63 characters`)
        t.equal(o.metadata.labels?.['app.kubernetes.io/part-of'], 'tollgate', `${describe(o)} is labelled part-of tollgate`)
        for (const [k, v] of Object.entries(values.commonLabels as Record<string, string>)) t.equal(o.metadata.labels?.[k], v, `${describe(o)} has common label ${k}`)
      }
    })

    t.test('every pod runs non-root, read-only, without privileges, with probes and resources', async (t) => {
      const pods = podTemplates(objs)
      t.ok(pods.length >= 2, 'operator and proxy pods at least')
      for (const { owner, spec } of pods) {
        const who = describe(owner)
        const psc = spec.securityContext ?? {}
        t.equal(psc.runAsNonRoot, true, `${who}: pod runAsNonRoot`)
        t.equal(psc.runAsUser, 10001, `${who}: pod runAsUser 10001`)
        t.equal(psc.seccompProfile?.type, 'RuntimeDefault', `${who}: pod seccomp RuntimeDefault`)
        t.notOk(spec.hostNetwork || spec.hostPID || spec.hostIPC, `${who}: no host namespaces`)
        for (const v of spec.volumes ?? []) t.notOk(v.hostPath, `${who}: no hostPath volume ${v.name}`)
        const containers: Any[] = [...(spec.initContainers ?? []), ...spec.containers]
        for (const c of containers) {
          const at = `${who} container ${c.name}`
          const sc = c.securityContext ?? {}
          t.equal(sc.runAsNonRoot, true, `${at}: runAsNonRoot`)
          t.equal(sc.runAsUser, 10001, `${at}: runAsUser 10001`)
          t.equal(sc.readOnlyRootFilesystem, true, `${at}: readOnlyRootFilesystem`)
          t.equal(sc.allowPrivilegeEscalation, false, `${at}: allowPrivilegeEscalation false`)
          t.notOk(sc.privileged, `${at}: not privileged`)
          t.same(sc.capabilities?.drop, ['ALL'], `${at}: drops ALL capabilities`)
          t.notOk(sc.capabilities?.add?.length, `${at}: adds no capability`)
          t.equal(sc.seccompProfile?.type ?? psc.seccompProfile?.type, 'RuntimeDefault', `${at}: seccomp RuntimeDefault`)
          t.ok(c.resources?.requests?.cpu && c.resources?.requests?.memory, `${at}: CPU and memory requests`)
          t.ok(c.resources?.limits?.memory, `${at}: memory limit`)
          if (!(spec.initContainers ?? []).includes(c)) {
            t.ok(c.livenessProbe, `${at}: liveness probe`)
            t.ok(c.readinessProbe, `${at}: readiness probe`)
          }
          for (const m of c.volumeMounts ?? []) {
            t.ok((spec.volumes ?? []).some((v: Any) => v.name === m.name), `${at}: mount ${m.name} has a volume`)
          }
        }
      }
    })

    t.test('operator: leader election, POD_NAMESPACE, flags, probes on the metrics port', async (t) => {
      const dep = find(objs, 'Deployment', names.operator)!
      t.ok(dep, 'operator Deployment')
      t.equal((dep.spec as Any).replicas, values.operator.replicas)
      const c = container(dep, 'operator')
      t.equal(c.args[0], 'operator')
      const f = flags(c.args)
      t.equal(f.get('stream-port'), String(values.operator.streamPort))
      t.equal(f.get('metrics-port'), String(values.operator.metricsPort))
      t.equal(f.get('leader-elect'), String(values.operator.leaderElection.enabled))
      if (values.operator.replicas > 1) t.equal(f.get('leader-elect'), 'true', 'more than one replica elects a leader')
      t.equal(f.get('lease-name'), values.operator.leaderElection.leaseName)
      t.equal(f.get('stream-token-file'), '/var/run/tollgate/stream-token')
      t.equal(f.get('namespaces'), values.watchNamespaces.length ? values.watchNamespaces.join(',') : undefined)
      t.equal(f.get('domain'), values.gateway.domain)
      t.equal(f.get('endpoint-scheme'), values.gateway.endpointScheme)
      t.equal(f.get('endpoint-port'), String(values.gateway.endpointPort))
      if (values.operator.podNamespaceIndex) t.equal(f.get('pod-namespace-index'), 'true', 'the pod index is on')
      else t.notOk(f.has('pod-namespace-index'), 'no pod index by default')
      const podNs = c.env.find((e: Any) => e.name === 'POD_NAMESPACE')
      t.same(podNs?.valueFrom, { fieldRef: { fieldPath: 'metadata.namespace' } }, 'POD_NAMESPACE from the downward API')
      t.equal(c.livenessProbe.httpGet.path, '/healthz', 'liveness on /healthz')
      t.equal(c.readinessProbe.httpGet.path, '/readyz', 'readiness on /readyz')
      t.equal(portNumber(c, c.livenessProbe.httpGet.port), values.operator.metricsPort, 'liveness on the metricsPort')
      t.equal(portNumber(c, c.readinessProbe.httpGet.port), values.operator.metricsPort, 'readiness on the metricsPort')
      t.not((dep.spec as Any).template.spec.automountServiceAccountToken, false, 'the operator gets its API token')
      const sa = (dep.spec as Any).template.spec.serviceAccountName
      t.equal(sa, values.operator.serviceAccount.create ? names.operator : values.operator.serviceAccount.name)
      t.equal(Boolean(find(objs, 'ServiceAccount', sa)), values.operator.serviceAccount.create, 'ServiceAccount rendered iff create')
    })

    t.test('proxy: flags, token-less ServiceAccount, probes on the admin port, grace > shutdown + drain', async (t) => {
      const dep = find(objs, 'Deployment', names.proxy)!
      t.ok(dep, 'proxy Deployment')
      const pod = (dep.spec as Any).template.spec
      const c = container(dep, 'proxy')
      t.equal(c.args[0], 'proxy')
      const f = flags(c.args)
      t.equal(f.get('operator-url'), `ws://${names.operator}:${values.operator.streamPort}/v1/config`)
      t.equal(f.get('stream-token-file'), '/var/run/tollgate/stream-token')
      t.equal(f.get('port'), String(values.proxy.port))
      t.equal(f.get('private-port'), String(values.proxy.privatePort))
      t.equal(f.get('admin-port'), String(values.proxy.adminPort))
      t.equal(f.get('config-cache'), '/var/lib/tollgate/last-known-good.json')
      // The usage API is on only with a token Secret, mounted read-only for --admin-token-file.
      if (values.proxy.usageApi.tokenSecret) {
        t.equal(f.get('admin-token-file'), '/var/run/tollgate/admin/token')
        const mount = c.volumeMounts.find((m: Any) => m.mountPath === '/var/run/tollgate/admin')
        t.equal(mount?.readOnly, true, 'admin token mounted read-only')
        const vol = pod.volumes.find((v: Any) => v.name === mount?.name)
        t.same(vol?.secret?.items, [{ key: values.proxy.usageApi.tokenKey, path: 'token' }], 'from the named Secret key')
        t.equal(vol?.secret?.secretName, values.proxy.usageApi.tokenSecret)
      } else {
        t.notOk(f.has('admin-token-file'), 'no usage API without a token')
      }
      // Trusted proxies for X-Forwarded-For: one comma-separated flag, absent by default (trust none).
      if (values.proxy.trustedProxies.length > 0) t.equal(f.get('trusted-proxies'), values.proxy.trustedProxies.join(','))
      else t.notOk(f.has('trusted-proxies'), 'no trusted proxies by default')
      // Tracing: each flag only when its value is set, so the OTEL_* environment applies otherwise.
      const tracing = values.proxy.tracing
      if (tracing.otlpEndpoint) t.equal(f.get('otlp-endpoint'), tracing.otlpEndpoint)
      else t.notOk(f.has('otlp-endpoint'), 'no OTLP endpoint by default')
      if (tracing.sampleRatio !== null) t.equal(Number(f.get('trace-sample-ratio')), tracing.sampleRatio)
      else t.notOk(f.has('trace-sample-ratio'))
      if (tracing.serviceName) t.equal(f.get('trace-service-name'), tracing.serviceName)
      else t.notOk(f.has('trace-service-name'))
      const cacheMount = c.volumeMounts.find((m: Any) => m.mountPath === '/var/lib/tollgate')
      t.ok(pod.volumes.find((v: Any) => v.name === cacheMount?.name)?.emptyDir, 'config cache on an emptyDir')
      const grace = Number(f.get('shutdown-grace-seconds'))
      const drain = Number(f.get('drain-timeout-seconds'))
      t.equal(grace, values.proxy.shutdownGraceSeconds)
      t.equal(drain, values.proxy.drainTimeoutSeconds)
      t.ok(pod.terminationGracePeriodSeconds > grace + drain, `terminationGracePeriodSeconds ${pod.terminationGracePeriodSeconds} > ${grace} + ${drain}`)
      if (values.proxy.terminationGracePeriodSeconds != null) t.equal(pod.terminationGracePeriodSeconds, values.proxy.terminationGracePeriodSeconds)
      t.equal(pod.automountServiceAccountToken, false, 'pod mounts no API token')
      if (values.proxy.serviceAccount.create) {
        const sa = find(objs, 'ServiceAccount', pod.serviceAccountName)
        t.equal(sa?.automountServiceAccountToken, false, 'proxy ServiceAccount: automountServiceAccountToken false')
      }
      for (const b of [...ofKind(objs, 'RoleBinding'), ...ofKind(objs, 'ClusterRoleBinding')]) {
        for (const s of (b.subjects as Any[]) ?? []) t.not(s.name, pod.serviceAccountName, `${describe(b)} binds nothing to the proxy`)
      }
      t.equal(c.livenessProbe.httpGet.path, '/healthz', 'liveness on /healthz')
      t.equal(c.readinessProbe.httpGet.path, '/readyz', 'readiness on /readyz')
      t.equal(portNumber(c, c.livenessProbe.httpGet.port), values.proxy.adminPort, 'liveness on the adminPort')
      t.equal(portNumber(c, c.readinessProbe.httpGet.port), values.proxy.adminPort, 'readiness on the adminPort')
      if (values.proxy.autoscaling.enabled) t.notOk('replicas' in (dep.spec as Any), 'the HPA owns the replica count')
      else t.equal((dep.spec as Any).replicas, values.proxy.replicas)
      for (const x of values.proxy.extraArgs) t.ok(c.args.includes(x), `extra arg ${x}`)
    })

    t.test('stream token: one Secret, mounted into both programs', async (t) => {
      const secret = find(objs, 'Secret', names.token)
      if (values.streamToken.existingSecret) {
        t.notOk(secret, 'an existing Secret is not rendered')
        t.same(ofKind(objs, 'Secret'), [], 'no Secret at all')
      } else {
        t.ok(secret, 'the chart creates the token Secret')
        const token = Buffer.from((secret!.data as Any)[values.streamToken.secretKey], 'base64').toString()
        t.match(token, /^[A-Za-z0-9]{48}$/, 'a random 48-character token')
      }
      for (const name of [names.operator, names.proxy]) {
        const dep = find(objs, 'Deployment', name)!
        const pod = (dep.spec as Any).template.spec
        const vol = pod.volumes.find((v: Any) => v.secret?.secretName === names.token)
        t.ok(vol, `${name} mounts ${names.token}`)
        t.same(vol.secret.items, [{ key: values.streamToken.secretKey, path: 'stream-token' }])
        const mount = pod.containers[0].volumeMounts.find((m: Any) => m.name === vol.name)
        t.equal(mount.mountPath, '/var/run/tollgate')
        t.equal(mount.readOnly, true)
      }
    })

    t.test('Services reach the pods and ports they name', async (t) => {
      const pods = podTemplates(objs)
      for (const svc of ofKind(objs, 'Service')) {
        const spec = svc.spec as Any
        const target = pods.find((p) => matches(spec.selector, p.labels))
        t.ok(target, `${describe(svc)} selects a pod template`)
        if (!target) continue
        t.equal(pods.filter((p) => matches(spec.selector, p.labels)).length, 1, `${describe(svc)} selects exactly one workload`)
        for (const p of spec.ports) {
          const found = target.spec.containers.some((c: Any) => portNumber(c, p.targetPort) !== undefined)
          t.ok(found, `${describe(svc)} port ${p.name} targets a container port (${p.targetPort})`)
        }
      }
      for (const d of ofKind(objs, 'Deployment')) {
        const spec = d.spec as Any
        t.ok(matches(spec.selector.matchLabels, spec.template.metadata.labels), `${describe(d)} selector matches its pods`)
      }
      const pub = find(objs, 'Service', names.proxy)!.spec as Any
      t.equal(pub.type, values.proxy.service.type)
      t.same(pub.ports.map((p: Any) => [p.port, portNumber(container(find(objs, 'Deployment', names.proxy)!, 'proxy'), p.targetPort)]), [[80, 8080]], 'public: 80 → 8080')
      if (values.proxy.service.nodePort) t.equal(pub.ports[0].nodePort, values.proxy.service.nodePort)
      const priv = find(objs, 'Service', `${names.proxy}-private`)!.spec as Any
      t.equal(priv.type, 'ClusterIP', 'private APIs: ClusterIP only')
      t.same(priv.ports.map((p: Any) => [p.port, portNumber(container(find(objs, 'Deployment', names.proxy)!, 'proxy'), p.targetPort)]), [[80, 8082]], 'private: 80 → 8082')
      const op = find(objs, 'Service', names.operator)!.spec as Any
      t.same(op.ports.map((p: Any) => p.port).sort(), [8081, 9090])
    })

    t.test('autoscaler and disruption budget', async (t) => {
      const hpa = find(objs, 'HorizontalPodAutoscaler', names.proxy)
      t.equal(Boolean(hpa), values.proxy.autoscaling.enabled, 'HPA rendered iff enabled')
      if (hpa) {
        const spec = hpa.spec as Any
        t.equal(hpa.apiVersion, 'autoscaling/v2')
        t.same(spec.scaleTargetRef, { apiVersion: 'apps/v1', kind: 'Deployment', name: names.proxy })
        t.equal(spec.minReplicas, values.proxy.autoscaling.minReplicas)
        t.equal(spec.maxReplicas, values.proxy.autoscaling.maxReplicas)
        t.same(spec.metrics, [{ type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: values.proxy.autoscaling.targetCPUUtilizationPercentage } } }])
      }
      const pdb = find(objs, 'PodDisruptionBudget', names.proxy)
      t.equal(Boolean(pdb), values.proxy.podDisruptionBudget.enabled, 'PDB rendered iff enabled')
      if (pdb) {
        t.equal(pdb.apiVersion, 'policy/v1')
        const proxyPod = podTemplates(objs).find((p) => p.owner.metadata.name === names.proxy)!
        t.ok(matches((pdb.spec as Any).selector.matchLabels, proxyPod.labels), 'PDB selects the proxies')
        t.same((pdb.spec as Any).maxUnavailable, values.proxy.podDisruptionBudget.maxUnavailable)
      }
    })

    t.test('Redis: REDIS_URL per mode, bundled objects only when bundled', async (t) => {
      const c = container(find(objs, 'Deployment', names.proxy)!, 'proxy')
      const env = (c.env as Any[]).find((e) => e.name === 'REDIS_URL')
      const bundled = !values.redis.url && !values.redis.existingSecret && values.redis.bundled.enabled
      if (values.redis.url) t.equal(env?.value, values.redis.url)
      else if (values.redis.existingSecret) t.same(env?.valueFrom, { secretKeyRef: { name: values.redis.existingSecret, key: values.redis.existingSecretKey } })
      else if (bundled) t.equal(env?.value, `redis://${names.redis}:6379/0`)
      else t.notOk(env, 'no Redis: in-memory stores')
      t.equal(Boolean(find(objs, 'Deployment', names.redis)), bundled, 'Redis Deployment iff bundled')
      t.equal(Boolean(find(objs, 'Service', names.redis)), bundled, 'Redis Service iff bundled')
      if (bundled) {
        t.equal((find(objs, 'Deployment', names.redis)!.spec as Any).replicas, 1, 'one Redis')
        const np = find(objs, 'NetworkPolicy', names.redis)
        t.ok(np, 'NetworkPolicy in front of the password-less Redis')
        const proxyPod = podTemplates(objs).find((p) => p.owner.metadata.name === names.proxy)!
        t.ok(matches((np!.spec as Any).ingress[0].from[0].podSelector.matchLabels, proxyPod.labels), 'only the proxies reach Redis')
      }
    })

    t.test('ServiceMonitors scrape the metrics ports', async (t) => {
      const sms = ofKind(objs, 'ServiceMonitor')
      t.equal(sms.length, values.metrics.serviceMonitor.enabled ? 2 : 0)
      for (const sm of sms) {
        const spec = sm.spec as Any
        const svcs = ofKind(objs, 'Service').filter((s) => matches(spec.selector.matchLabels, s.metadata.labels ?? {}))
        t.equal(svcs.length, 1, `${describe(sm)} selects one Service`)
        t.ok((svcs[0]?.spec as Any)?.ports.some((p: Any) => p.name === spec.endpoints[0].port), `${describe(sm)}: the Service has port ${spec.endpoints[0].port}`)
        t.equal(spec.endpoints[0].path, '/metrics')
        for (const [k, v] of Object.entries(values.metrics.serviceMonitor.labels as Record<string, string>)) t.equal(sm.metadata.labels?.[k], v)
      }
    })

    t.test('dashboard ConfigMap and PrometheusRule iff enabled (details: test/observability)', async (t) => {
      const dashboard = find(objs, 'ConfigMap', `${full}-dashboard`)
      t.equal(Boolean(dashboard), values.metrics.dashboard.enabled, 'dashboard ConfigMap rendered iff enabled')
      if (dashboard) {
        for (const [k, v] of Object.entries(values.metrics.dashboard.labels as Record<string, string>)) t.equal(dashboard.metadata.labels?.[k], v, `sidecar label ${k}`)
        t.ok(JSON.parse((dashboard.data as Any)['tollgate.json']).panels.length > 0, 'holds the dashboard JSON')
      }
      const rules = ofKind(objs, 'PrometheusRule')
      t.equal(rules.length, values.metrics.prometheusRule.enabled ? 1 : 0, 'PrometheusRule rendered iff enabled')
      for (const r of rules) {
        for (const [k, v] of Object.entries(values.metrics.prometheusRule.labels as Record<string, string>)) t.equal(r.metadata.labels?.[k], v, `rule label ${k}`)
      }
    })

    t.test('image', async (t) => {
      for (const name of [names.operator, names.proxy]) {
        const c = (find(objs, 'Deployment', name)!.spec as Any).template.spec.containers[0]
        const expected = values.image.digest ? `${values.image.repository}@${values.image.digest}` : `${values.image.repository}:${values.image.tag || '0.1.0'}`
        t.equal(c.image, expected, `${name} image`)
      }
    })
  })
}

t.test('the chart refuses inconsistent values', async (t) => {
  const cases: Array<[string, object, RegExp]> = [
    ['grace not above shutdown + drain', { proxy: { terminationGracePeriodSeconds: 30 } }, /must exceed/],
    ['autoscaling without a CPU request', { proxy: { resources: { requests: { cpu: null } } } }, /needs proxy.resources.requests.cpu/],
    ['autoscaling min above max', { proxy: { autoscaling: { minReplicas: 5, maxReplicas: 3 } } }, /must not exceed/],
    ['no operator ServiceAccount name', { operator: { serviceAccount: { create: false } } }, /operator.serviceAccount.name is required/],
  ]
  for (const [what, values, message] of cases) {
    const r = renderChartRaw(values)
    t.notOk(r.ok, `${what}: render fails`)
    t.match(r.stderr, message, `${what}: says why`)
  }
})

t.test('the stream token is random per install', async (t) => {
  const token = (objs: K8sObject[]) => (find(objs, 'Secret', 'tollgate-stream-token')!.data as Any).token
  t.not(token(renderChart({})), token(renderChart({})))
})
