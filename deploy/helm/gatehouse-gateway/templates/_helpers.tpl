{{/* The chart's name. */}}
{{- define "gatehouse-gateway.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/* The release's full name, the name of its objects. */}}
{{- define "gatehouse-gateway.fullname" -}}
{{- if .Values.fullnameOverride }}
{{- .Values.fullnameOverride | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- $name := default .Chart.Name .Values.nameOverride }}
{{- if contains $name .Release.Name }}
{{- .Release.Name | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- printf "%s-%s" .Release.Name $name | trunc 63 | trimSuffix "-" }}
{{- end }}
{{- end }}
{{- end }}

{{/* Labels of every object. */}}
{{- define "gatehouse-gateway.labels" -}}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}
{{ include "gatehouse-gateway.selectorLabels" . }}
app.kubernetes.io/version: {{ .Values.image.tag | default .Chart.AppVersion | trunc 63 | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
app.kubernetes.io/part-of: gatehouse
{{- end }}

{{/* Labels that select the gateway's pods. */}}
{{- define "gatehouse-gateway.selectorLabels" -}}
app.kubernetes.io/name: {{ include "gatehouse-gateway.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end }}

{{/* The service account of the pods. */}}
{{- define "gatehouse-gateway.serviceAccountName" -}}
{{- if .Values.serviceAccount.create }}
{{- default (include "gatehouse-gateway.fullname" .) .Values.serviceAccount.name }}
{{- else }}
{{- default "default" .Values.serviceAccount.name }}
{{- end }}
{{- end }}

{{/* The image reference. */}}
{{- define "gatehouse-gateway.image" -}}
{{- if .Values.image.digest }}
{{- printf "%s@%s" .Values.image.repository .Values.image.digest }}
{{- else }}
{{- printf "%s:%s" .Values.image.repository (.Values.image.tag | default .Chart.AppVersion) }}
{{- end }}
{{- end }}

{{/* The Secret holding the gateway token, and its key. */}}
{{- define "gatehouse-gateway.tokenSecret" -}}
{{- if .Values.secret.existingSecretName }}
{{- .Values.secret.existingSecretName }}
{{- else }}
{{- include "gatehouse-gateway.fullname" . }}
{{- end }}
{{- end }}
{{- define "gatehouse-gateway.tokenSecretKey" -}}
{{- if .Values.secret.existingSecretName }}
{{- .Values.secret.existingSecretKey }}
{{- else -}}
gateway-key
{{- end }}
{{- end }}

{{/* Whether the chart makes a Secret: the token or the Redis URL. */}}
{{- define "gatehouse-gateway.ownSecret" -}}
{{- if or (and (eq .Values.gateway.auth.type "GatewayToken") (not .Values.secret.existingSecretName) .Values.secret.createSecret) (and .Values.redis.url (not .Values.redis.existingSecret.name)) }}true{{ end }}
{{- end }}

{{/* Checks of values that the schema cannot express. */}}
{{- define "gatehouse-gateway.validate" -}}
{{- if not .Values.gateway.configuration.uri }}
{{- fail "gateway.configuration.uri is required: the URL of the management plane's configuration endpoint, such as https://gatehouse.example.com:8090" }}
{{- end }}
{{- if eq .Values.gateway.auth.type "GatewayToken" }}
{{- if and (not .Values.secret.existingSecretName) (not .Values.secret.createSecret) }}
{{- fail "secret.createSecret is false: give secret.existingSecretName, the Secret holding the gateway token" }}
{{- end }}
{{- if and (not .Values.secret.existingSecretName) (not .Values.gateway.auth.key) }}
{{- fail "gateway.auth.type GatewayToken needs gateway.auth.key (a token from POST /mgmt/gateways/<name>/generateToken) or secret.existingSecretName" }}
{{- end }}
{{- else }}
{{- if not .Values.gateway.name }}
{{- fail "gateway.auth.type WorkloadIdentity needs gateway.name: a workload identity token does not name the gateway" }}
{{- end }}
{{- end }}
{{- if and .Values.gateway.configuration.backup.enabled (not .Values.gateway.configuration.backup.persistentVolumeClaim.create) (not .Values.gateway.configuration.backup.persistentVolumeClaim.existingName) }}
{{- fail "gateway.configuration.backup: give persistentVolumeClaim.existingName or set persistentVolumeClaim.create" }}
{{- end }}
{{- if and .Values.observability.opentelemetry.enabled (not .Values.observability.opentelemetry.collector.uri) }}
{{- fail "observability.opentelemetry.enabled needs observability.opentelemetry.collector.uri" }}
{{- end }}
{{- if and .Values.observability.metrics.serviceMonitor.enabled (not .Values.observability.metrics.enabled) }}
{{- fail "observability.metrics.serviceMonitor.enabled needs observability.metrics.enabled" }}
{{- end }}
{{- end }}
