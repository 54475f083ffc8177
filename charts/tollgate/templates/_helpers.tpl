{{/*
Names. The chart name, and the prefix of every object: "<release>-tollgate", or the release name
alone when it already contains "tollgate" (release "tollgate" gives "tollgate-operator").
*/}}
{{- define "tollgate.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{- define "tollgate.fullname" -}}
{{- if .Values.fullnameOverride -}}
{{- .Values.fullnameOverride | trunc 40 | trimSuffix "-" -}}
{{- else -}}
{{- $name := default .Chart.Name .Values.nameOverride -}}
{{- if contains $name .Release.Name -}}
{{- .Release.Name | trunc 40 | trimSuffix "-" -}}
{{- else -}}
{{- printf "%s-%s" .Release.Name $name | trunc 40 | trimSuffix "-" -}}
{{- end -}}
{{- end -}}
{{- end -}}
{{/* (40 characters leave room for the longest suffix, "-proxy-private", within 63.) */}}

{{- define "tollgate.operator.fullname" -}}{{ include "tollgate.fullname" . }}-operator{{- end -}}
{{- define "tollgate.proxy.fullname" -}}{{ include "tollgate.fullname" . }}-proxy{{- end -}}
{{- define "tollgate.redis.fullname" -}}{{ include "tollgate.fullname" . }}-redis{{- end -}}

{{- define "tollgate.chart" -}}
{{- printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{/*
Labels. Call with (dict "ctx" $ "component" "operator").
*/}}
{{- define "tollgate.selectorLabels" -}}
app.kubernetes.io/name: {{ include "tollgate.name" .ctx }}
app.kubernetes.io/instance: {{ .ctx.Release.Name }}
app.kubernetes.io/component: {{ .component }}
{{- end -}}

{{- define "tollgate.labels" -}}
helm.sh/chart: {{ include "tollgate.chart" .ctx }}
{{ include "tollgate.selectorLabels" . }}
app.kubernetes.io/version: {{ .ctx.Chart.AppVersion | quote }}
app.kubernetes.io/part-of: tollgate
app.kubernetes.io/managed-by: {{ .ctx.Release.Service }}
{{- with .ctx.Values.commonLabels }}
{{ toYaml . }}
{{- end -}}
{{- end -}}

{{/* The Tollgate image, pinned by digest when one is given. */}}
{{- define "tollgate.image" -}}
{{- if .Values.image.digest -}}
{{- printf "%s@%s" .Values.image.repository .Values.image.digest -}}
{{- else -}}
{{- printf "%s:%s" .Values.image.repository (default .Chart.AppVersion .Values.image.tag) -}}
{{- end -}}
{{- end -}}

{{- define "tollgate.operator.serviceAccountName" -}}
{{- if .Values.operator.serviceAccount.create -}}
{{- default (include "tollgate.operator.fullname" .) .Values.operator.serviceAccount.name -}}
{{- else -}}
{{- required "operator.serviceAccount.name is required when operator.serviceAccount.create is false" .Values.operator.serviceAccount.name -}}
{{- end -}}
{{- end -}}

{{- define "tollgate.proxy.serviceAccountName" -}}
{{- if .Values.proxy.serviceAccount.create -}}
{{- default (include "tollgate.proxy.fullname" .) .Values.proxy.serviceAccount.name -}}
{{- else -}}
{{- default "default" .Values.proxy.serviceAccount.name -}}
{{- end -}}
{{- end -}}

{{/* The stream token Secret: the user's existing one or the chart's. */}}
{{- define "tollgate.streamToken.secretName" -}}
{{- default (printf "%s-stream-token" (include "tollgate.fullname" .)) .Values.streamToken.existingSecret -}}
{{- end -}}

{{/* Where both programs read the stream token. */}}
{{- define "tollgate.streamToken.dir" -}}/var/run/tollgate{{- end -}}
{{- define "tollgate.streamToken.file" -}}{{ include "tollgate.streamToken.dir" . }}/stream-token{{- end -}}

{{/*
The operator's config stream URL, as the proxies dial it. Operator and proxies always share a
namespace, so the short Service name is enough, and the plain manifests (deploy/) stay valid
when a kustomize overlay moves them to another namespace.
*/}}
{{- define "tollgate.operatorURL" -}}
{{- printf "ws://%s:%d/v1/config" (include "tollgate.operator.fullname" .) (int .Values.operator.streamPort) -}}
{{- end -}}

{{/* Which Redis the proxies use: "external", "secret", "bundled" or "" (in-memory stores). */}}
{{- define "tollgate.redis.mode" -}}
{{- if .Values.redis.url -}}external
{{- else if .Values.redis.existingSecret -}}secret
{{- else if .Values.redis.bundled.enabled -}}bundled
{{- end -}}
{{- end -}}

{{/*
Security context of every pod and container of the chart: a fixed non-root user, no privilege
escalation, no capabilities, read-only root filesystem, the runtime's default seccomp profile.
fsGroup makes the mounted stream token (mode 0440) readable by that user.
*/}}
{{- define "tollgate.podSecurityContext" -}}
runAsNonRoot: true
runAsUser: 10001
runAsGroup: 10001
fsGroup: 10001
seccompProfile:
  type: RuntimeDefault
{{- end -}}

{{- define "tollgate.containerSecurityContext" -}}
runAsNonRoot: true
runAsUser: 10001
runAsGroup: 10001
allowPrivilegeEscalation: false
readOnlyRootFilesystem: true
privileged: false
capabilities:
  drop: ["ALL"]
seccompProfile:
  type: RuntimeDefault
{{- end -}}

{{/* The proxy's termination grace: explicit (checked) or shutdown grace + drain + 10 s. */}}
{{- define "tollgate.proxy.terminationGracePeriodSeconds" -}}
{{- $min := add .Values.proxy.shutdownGraceSeconds .Values.proxy.drainTimeoutSeconds -}}
{{- if kindIs "invalid" .Values.proxy.terminationGracePeriodSeconds -}}
{{- add $min 10 -}}
{{- else if le (int .Values.proxy.terminationGracePeriodSeconds) (int $min) -}}
{{- fail (printf "proxy.terminationGracePeriodSeconds (%v) must exceed proxy.shutdownGraceSeconds + proxy.drainTimeoutSeconds (%v)" .Values.proxy.terminationGracePeriodSeconds $min) -}}
{{- else -}}
{{- int .Values.proxy.terminationGracePeriodSeconds -}}
{{- end -}}
{{- end -}}
