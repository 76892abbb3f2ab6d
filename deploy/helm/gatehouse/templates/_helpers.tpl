{{/* The chart's name. */}}
{{- define "gatehouse.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/* The release's full name, the name of its objects. */}}
{{- define "gatehouse.fullname" -}}
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
{{- define "gatehouse.labels" -}}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}
{{ include "gatehouse.selectorLabels" . }}
app.kubernetes.io/version: {{ .Values.image.tag | default .Chart.AppVersion | trunc 63 | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
app.kubernetes.io/part-of: gatehouse
{{- end }}

{{/* Labels that select the gateway's pods. */}}
{{- define "gatehouse.selectorLabels" -}}
app.kubernetes.io/name: {{ include "gatehouse.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end }}

{{/* The service account of the pods. */}}
{{- define "gatehouse.serviceAccountName" -}}
{{- if .Values.serviceAccount.create }}
{{- default (include "gatehouse.fullname" .) .Values.serviceAccount.name }}
{{- else }}
{{- default "default" .Values.serviceAccount.name }}
{{- end }}
{{- end }}

{{/* The image reference. */}}
{{- define "gatehouse.image" -}}
{{- if .Values.image.digest }}
{{- printf "%s@%s" .Values.image.repository .Values.image.digest }}
{{- else }}
{{- printf "%s:%s" .Values.image.repository (.Values.image.tag | default .Chart.AppVersion) }}
{{- end }}
{{- end }}


{{/* Whether listener .l (with root context .root) is on: enabled, and,
for a gateway listener, the embedded gateway is. */}}
{{- define "gatehouse.listenerOn" -}}
{{- if and .l.enabled (or (ne .l.service "gateway") .root.Values.gateway.enabled) }}true{{ end }}
{{- end }}

{{/* The name of the Service for service kind . (plane, gateway or metrics)
given as (list kind root). */}}
{{- define "gatehouse.serviceName" -}}
{{- $kind := index . 0 }}
{{- $root := index . 1 }}
{{- if eq $kind "plane" }}
{{- include "gatehouse.fullname" $root }}
{{- else }}
{{- printf "%s-%s" (include "gatehouse.fullname" $root) $kind | trunc 63 | trimSuffix "-" }}
{{- end }}
{{- end }}

{{/* The environment twin of a flag: mgmt-tls-cert is GATEHOUSE_MGMT_TLS_CERT. */}}
{{- define "gatehouse.env" -}}
GATEHOUSE_{{ . | upper | replace "-" "_" }}
{{- end }}

{{/* Whether the store is PostgreSQL. */}}
{{- define "gatehouse.postgres" -}}
{{- if or .Values.postgres.url .Values.postgres.existingSecret.name }}true{{ end }}
{{- end }}

{{/* The secrets serve reads from the environment: variable, value given
in the values, existing Secret, key of the chart's Secret. */}}
{{- define "gatehouse.secretEnv" -}}
{{- $out := list }}
{{- range $v := list (list "GATEHOUSE_STORE" .Values.postgres "postgres-url") (list "GATEHOUSE_REDIS" .Values.redis "redis-url") (list "GATEHOUSE_MASTER_KEY" .Values.masterKey "master-key") (list "GATEHOUSE_ADMIN_TOKEN" .Values.adminToken "admin-token") }}
{{- $vals := index $v 1 }}
{{- $value := dig "value" "" $vals | default (dig "url" "" $vals) }}
{{- if $vals.existingSecret.name }}
{{- $out = append $out (dict "env" (index $v 0) "secret" $vals.existingSecret.name "key" $vals.existingSecret.key) }}
{{- else if $value }}
{{- $out = append $out (dict "env" (index $v 0) "secret" "" "key" (index $v 2) "value" $value) }}
{{- end }}
{{- end }}
{{- toJson $out }}
{{- end }}

{{/* Checks of values that the schema cannot express. */}}
{{- define "gatehouse.validate" -}}
{{- $pg := include "gatehouse.postgres" . }}
{{- if and (not .Values.adminToken.value) (not .Values.adminToken.existingSecret.name) }}
{{- fail "adminToken is required: set adminToken.existingSecret.name to a Secret with key admin-token (kubectl create secret generic gatehouse-admin --from-literal=admin-token=$(head -c32 /dev/urandom | base64)), or adminToken.value" }}
{{- end }}
{{- if and $pg (not .Values.masterKey.value) (not .Values.masterKey.existingSecret.name) }}
{{- fail "masterKey is required with PostgreSQL, where every replica must seal with the same key: set masterKey.existingSecret.name (key master-key: head -c32 /dev/urandom | base64), or masterKey.value" }}
{{- end }}
{{- if and (not $pg) (gt (int .Values.replicaCount) 1) }}
{{- fail "replicaCount above 1 needs PostgreSQL (postgres.url or postgres.existingSecret.name): SQLite lives on one pod's volume" }}
{{- end }}
{{- if and (not $pg) .Values.highAvailability.enabled }}
{{- fail "highAvailability needs PostgreSQL and more than one replica" }}
{{- end }}
{{- range $name, $l := .Values.listeners }}
{{- if not (regexMatch "^[a-z]([-a-z0-9]*[a-z0-9])?$" $name) }}
{{- fail (printf "listeners.%s: a listener's name is a port name: lowercase letters, digits and '-', at most 15" $name) }}
{{- end }}
{{- if gt (len $name) 15 }}
{{- fail (printf "listeners.%s: a listener's name is a port name of at most 15 characters" $name) }}
{{- end }}
{{- if and (include "gatehouse.listenerOn" (dict "l" $l "root" $)) (eq $l.flag "gateway-https") (not (dig "tls" "secretName" "" $l)) }}
{{- fail (printf "listeners.%s: serve refuses an HTTPS gateway listener without a certificate; set listeners.%s.tls.secretName" $name $name) }}
{{- end }}
{{- end }}
{{- if and .Values.observability.metrics.serviceMonitor.enabled (not (include "gatehouse.listenerOn" (dict "l" .Values.listeners.metrics "root" .))) }}
{{- fail "observability.metrics.serviceMonitor.enabled needs listeners.metrics.enabled" }}
{{- end }}
{{- if and .Values.controller.enabled (not .Values.controller.endpoint) (not .Values.listeners.mgmt.enabled) }}
{{- fail "controller.enabled needs the management listener (listeners.mgmt.enabled) or controller.endpoint" }}
{{- end }}
{{- if and .Values.observability.opentelemetry.enabled (not .Values.observability.opentelemetry.collector.uri) }}
{{- fail "observability.opentelemetry.enabled needs observability.opentelemetry.collector.uri" }}
{{- end }}
{{- end }}

{{/* The listener a route names, checked: (list name root). */}}
{{- define "gatehouse.routeListener" -}}
{{- $name := index . 0 }}
{{- $root := index . 1 }}
{{- $l := index $root.Values.listeners $name }}
{{- if not $l }}
{{- fail (printf "a route names listener %q, which listeners does not have" $name) }}
{{- end }}
{{- if or (not (include "gatehouse.listenerOn" (dict "l" $l "root" $root))) (not $l.service) }}
{{- fail (printf "a route names listener %q, which is off or has no Service" $name) }}
{{- end }}
{{- toJson $l }}
{{- end }}

{{/* Labels that select the controller's pods (not those of serve). */}}
{{- define "gatehouse.controllerSelectorLabels" -}}
app.kubernetes.io/name: {{ include "gatehouse.name" . }}-controller
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end }}

{{/* The controller's image reference. */}}
{{- define "gatehouse.controllerImage" -}}
{{- $i := .Values.controller.image }}
{{- if $i.digest }}
{{- printf "%s@%s" $i.repository $i.digest }}
{{- else }}
{{- printf "%s:%s" $i.repository ($i.tag | default .Chart.AppVersion) }}
{{- end }}
{{- end }}

{{/* The management API's URL for the controller: controller.endpoint, or
this release's management Service. */}}
{{- define "gatehouse.controllerEndpoint" -}}
{{- if .Values.controller.endpoint }}
{{- .Values.controller.endpoint }}
{{- else }}
{{- $scheme := ternary "https" "http" (ne "" (dig "tls" "secretName" "" .Values.listeners.mgmt)) }}
{{- printf "%s://%s.%s.svc:%d" $scheme (include "gatehouse.fullname" .) .Release.Namespace (int .Values.listeners.mgmt.port) }}
{{- end }}
{{- end }}
