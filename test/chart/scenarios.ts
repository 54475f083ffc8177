// The value sets the chart is rendered and checked with. Each one turns on a different branch of
// every template that has branches.
export interface Scenario {
  name: string
  release: string
  namespace: string
  values: Record<string, unknown>
}

export const scenarios: Scenario[] = [
  {
    // What `helm install tollgate charts/tollgate -n tollgate-system` installs.
    name: 'defaults',
    release: 'tollgate',
    namespace: 'tollgate-system',
    values: {},
  },
  {
    // Namespaced RBAC, bundled Redis, a LoadBalancer, ServiceMonitors, a real domain.
    name: 'namespaced-bundled-redis-loadbalancer-servicemonitor',
    release: 'edge',
    namespace: 'gateway',
    values: {
      watchNamespaces: ['team-a', 'team-b', 'gateway'],
      image: { repository: 'registry.example.com/tollgate', digest: `sha256:${'ab'.repeat(32)}` },
      imagePullSecrets: [{ name: 'regcred' }],
      commonLabels: { team: 'platform' },
      gateway: { domain: 'api.example.com', endpointScheme: 'https', endpointPort: 443 },
      redis: { bundled: { enabled: true } },
      proxy: {
        service: {
          type: 'LoadBalancer',
          externalTrafficPolicy: 'Local',
          loadBalancerSourceRanges: ['203.0.113.0/24'],
          annotations: { 'service.beta.kubernetes.io/aws-load-balancer-type': 'nlb' },
        },
        autoscaling: { minReplicas: 3, maxReplicas: 20, targetCPUUtilizationPercentage: 60 },
        topologySpreadConstraints: [
          {
            maxSkew: 1,
            topologyKey: 'topology.kubernetes.io/zone',
            whenUnsatisfiable: 'ScheduleAnyway',
            labelSelector: { matchLabels: { 'app.kubernetes.io/component': 'proxy' } },
          },
        ],
        extraArgs: ['--log-level=debug'],
        extraEnv: [{ name: 'NODE_OPTIONS', value: '--max-old-space-size=384' }],
      },
      operator: { podAnnotations: { 'example.com/owner': 'platform' }, podNamespaceIndex: true },
      metrics: {
        serviceMonitor: { enabled: true, interval: '15s', labels: { release: 'prometheus' } },
        dashboard: { enabled: true, namespace: 'monitoring', annotations: { grafana_folder: 'Tollgate' } },
        prometheusRule: { enabled: true, labels: { release: 'prometheus' }, alertLabels: { team: 'platform' }, alerts: { noLeader: { enabled: false } } },
      },
    },
  },
  {
    // No autoscaler, an existing stream token Secret, Redis URL from a Secret, a NodePort, one
    // operator without leader election, an explicit termination grace.
    name: 'fixed-replicas-existing-secrets-nodeport',
    release: 'tg',
    namespace: 'apis',
    values: {
      fullnameOverride: 'gw',
      streamToken: { existingSecret: 'tollgate-stream', secretKey: 'stream' },
      redis: { existingSecret: 'redis-credentials', existingSecretKey: 'url' },
      operator: { replicas: 1, leaderElection: { enabled: false } },
      proxy: {
        replicas: 3,
        autoscaling: { enabled: false },
        podDisruptionBudget: { maxUnavailable: '25%' },
        terminationGracePeriodSeconds: 60,
        drainTimeoutSeconds: 40,
        trustedProxies: ['10.0.0.0/8', 'fd00::/8'],
        usageApi: { tokenSecret: 'usage-api', tokenKey: 'bearer' },
        tracing: { otlpEndpoint: 'http://otel-collector.observability:4318', sampleRatio: 0.25, serviceName: 'gw-apis' },
        service: { type: 'NodePort', nodePort: 30080 },
      },
    },
  },
  {
    // An external Redis by URL, PDB and ServiceAccount creation off.
    name: 'external-redis-no-pdb',
    release: 'tollgate',
    namespace: 'default',
    values: {
      redis: { url: 'redis://redis.cache.svc:6379/0' },
      proxy: { podDisruptionBudget: { enabled: false }, serviceAccount: { create: false } },
      operator: { serviceAccount: { create: false, name: 'gateway-operator' } },
    },
  },
]
