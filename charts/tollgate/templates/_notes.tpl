{{- /* The release notes, as a named template so the chart tests can render them (test/chart/notes.test.ts). */ -}}
{{- define "tollgate.notes" -}}
{{- $ns := .Release.Namespace }}
{{- $proxy := include "tollgate.proxy.fullname" . }}
{{- $apiNs := default "default" (first .Values.watchNamespaces) }}
Tollgate {{ .Chart.AppVersion }} is installed in namespace {{ $ns }}.

  operator: deployment/{{ include "tollgate.operator.fullname" . }} ({{ .Values.operator.replicas }} replicas, {{ if .Values.operator.leaderElection.enabled }}leader election on Lease {{ .Values.operator.leaderElection.leaseName }}{{ else }}no leader election{{ end }})
  proxies:  deployment/{{ $proxy }}{{ if .Values.proxy.autoscaling.enabled }} (autoscaled {{ .Values.proxy.autoscaling.minReplicas }}-{{ .Values.proxy.autoscaling.maxReplicas }}){{ end }}
  public:   service/{{ $proxy }} ({{ .Values.proxy.service.type }}, port {{ .Values.proxy.service.port }})
  private:  service/{{ $proxy }}-private (PRIVATE APIs, in-cluster only)
  watching: {{ if .Values.watchNamespaces }}{{ join ", " .Values.watchNamespaces }}{{ else }}all namespaces{{ end }}

Wait for the pods:

  kubectl -n {{ $ns }} rollout status deployment/{{ include "tollgate.operator.fullname" . }}
  kubectl -n {{ $ns }} rollout status deployment/{{ $proxy }}

Your first request: create an API with a MOCK integration (no backend needed)...

  kubectl apply -n {{ $apiNs }} -f - <<'YAML'
  apiVersion: tollgate.dev/v1alpha1
  kind: Api
  metadata: {name: hello}
  spec:
    apiId: hello01
    protocol: REST
    routes:
      - path: /hello
        method: GET
        integration:
          type: MOCK
          requestTemplates: {application/json: '{"statusCode": 200}'}
          responses:
            - statusCode: "200"
              responseTemplates: {application/json: '{"hello": "world"}'}
  ---
  apiVersion: tollgate.dev/v1alpha1
  kind: Stage
  metadata: {name: hello-prod}
  spec:
    apiRef: {name: hello}
    stageName: prod
  YAML
  kubectl -n {{ $apiNs }} get api hello -o yaml    # status: conditions and endpoint URL

{{- if eq .Values.gateway.domain "localhost" }}

...then reach the proxies and call it. *.localhost resolves to 127.0.0.1, so no DNS is needed:

  kubectl -n {{ $ns }} port-forward service/{{ $proxy }} 8080:{{ .Values.proxy.service.port }}
  curl http://hello01.execute-api.localhost:8080/prod/hello
{{- else }}

...then reach the proxies and call it, naming the API in the Host header:

  kubectl -n {{ $ns }} port-forward service/{{ $proxy }} 8080:{{ .Values.proxy.service.port }}
  curl -H 'Host: hello01.execute-api.{{ .Values.gateway.domain }}' http://127.0.0.1:8080/prod/hello

Through your own DNS (a wildcard record *.execute-api.{{ .Values.gateway.domain }} pointing at
service/{{ $proxy }}), without the port-forward:

  curl {{ .Values.gateway.endpointScheme }}://hello01.execute-api.{{ .Values.gateway.domain }}{{ if not (has (int .Values.gateway.endpointPort) (list 80 443)) }}:{{ .Values.gateway.endpointPort }}{{ end }}/prod/hello
{{- end }}
{{- if eq (include "tollgate.redis.mode" .) "" }}

Note: no Redis is configured (redis.url, redis.existingSecret or redis.bundled.enabled), so each
proxy keeps throttle buckets, quotas and the cache in its own memory: limits count per proxy pod.
{{- end }}
{{- if not .Values.watchNamespaces }}

Note: watchNamespaces is empty, so the operator may read Secrets in every namespace. Set
watchNamespaces to confine it (docs/install.md, "RBAC").
{{- end }}

{{- end -}}
