{{/* Objects are named after the release, which plinth sets to the service's name. */}}
{{- define "plinth-service.name" -}}
{{- .Release.Name | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{- define "plinth-service.selectorLabels" -}}
app.kubernetes.io/name: {{ include "plinth-service.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end -}}

{{- define "plinth-service.labels" -}}
{{ include "plinth-service.selectorLabels" . }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" }}
{{- end -}}

{{/* By digest when the release lock pins one; a tag only where nothing pins (previews without a digest from CI). */}}
{{- define "plinth-service.image" -}}
{{- if .Values.image.digest -}}
{{ .Values.image.repository }}@{{ .Values.image.digest }}
{{- else if .Values.image.tag -}}
{{ .Values.image.repository }}:{{ .Values.image.tag }}
{{- else -}}
{{ fail "plinth-service: image.digest (or, for a preview, image.tag) is required: nothing pins the image" }}
{{- end -}}
{{- end -}}

{{/* The service's container environment: plain env, feature flags as FEATURE_<NAME>. */}}
{{- define "plinth-service.env" -}}
{{- with .Values.env }}
{{ toYaml . }}
{{- end }}
{{- range $flag, $value := .Values.featureFlags }}
- name: {{ printf "FEATURE_%s" ($flag | snakecase | upper) }}
  value: {{ $value | toString | quote }}
{{- end }}
{{- end -}}

{{/* Env from the service's ExternalSecret, then from the data bindings' Secrets and ConfigMaps. */}}
{{- define "plinth-service.envFrom" -}}
{{- with .Values.externalSecrets }}
- secretRef:
    name: {{ .secretName }}
{{- end }}
{{- with .Values.envFrom }}
{{ toYaml . }}
{{- end }}
{{- end -}}

{{- define "plinth-service.podSpec" -}}
serviceAccountName: {{ include "plinth-service.name" . }}
{{- with .Values.imagePullSecrets }}
imagePullSecrets:
  {{- toYaml . | nindent 2 }}
{{- end }}
securityContext:
  {{- toYaml .Values.podSecurityContext | nindent 2 }}
containers:
  - name: {{ include "plinth-service.name" . }}
    image: {{ include "plinth-service.image" . | quote }}
    imagePullPolicy: {{ .Values.image.pullPolicy }}
    {{- with .Values.command }}
    command:
      {{- toYaml . | nindent 6 }}
    {{- end }}
    securityContext:
      {{- toYaml .Values.securityContext | nindent 6 }}
    {{- with .Values.ports }}
    ports:
      {{- toYaml . | nindent 6 }}
    {{- end }}
    {{- $env := include "plinth-service.env" . }}
    {{- if $env }}
    env:
      {{- $env | nindent 6 }}
    {{- end }}
    {{- $envFrom := include "plinth-service.envFrom" . }}
    {{- if $envFrom }}
    envFrom:
      {{- $envFrom | nindent 6 }}
    {{- end }}
    {{- with .Values.livenessProbe }}
    livenessProbe:
      {{- toYaml . | nindent 6 }}
    {{- end }}
    {{- with .Values.readinessProbe }}
    readinessProbe:
      {{- toYaml . | nindent 6 }}
    {{- end }}
    {{- with .Values.startupProbe }}
    startupProbe:
      {{- toYaml . | nindent 6 }}
    {{- end }}
    {{- with .Values.resources }}
    resources:
      {{- toYaml . | nindent 6 }}
    {{- end }}
    {{- $mounts := .Values.volumeMounts }}
    {{- range .Values.persistence }}
    {{- $mounts = append $mounts (dict "name" .name "mountPath" .mountPath) }}
    {{- end }}
    {{- with $mounts }}
    volumeMounts:
      {{- toYaml . | nindent 6 }}
    {{- end }}
{{- with .Values.volumes }}
volumes:
  {{- toYaml . | nindent 2 }}
{{- end }}
{{- end -}}

{{/*
The pod of a Job (pre-release hook or CronJob): the service's image, env, secret files and pull
Secrets, not its per-pod caches (ephemeral volumes belong to the service's pods).
Arguments: root (the chart's context), job (name, command, args), account (its ServiceAccount).
*/}}
{{- define "plinth-service.jobPod" -}}
{{- $root := .root -}}
{{- $job := .job -}}
{{- $caches := list -}}
{{- range $root.Values.volumes }}{{ if .ephemeral }}{{ $caches = append $caches .name }}{{ end }}{{ end -}}
{{- $volumes := list -}}
{{- range $root.Values.volumes }}{{ if not .ephemeral }}{{ $volumes = append $volumes . }}{{ end }}{{ end -}}
{{- $mounts := list -}}
{{- range $root.Values.volumeMounts }}{{ if not (has .name $caches) }}{{ $mounts = append $mounts . }}{{ end }}{{ end -}}
restartPolicy: Never
serviceAccountName: {{ .account }}
{{- with $root.Values.imagePullSecrets }}
imagePullSecrets:
  {{- toYaml . | nindent 2 }}
{{- end }}
securityContext:
  {{- toYaml $root.Values.podSecurityContext | nindent 2 }}
containers:
  - name: {{ $job.name }}
    image: {{ include "plinth-service.image" $root | quote }}
    imagePullPolicy: {{ $root.Values.image.pullPolicy }}
    command:
      {{- toYaml $job.command | nindent 6 }}
    {{- with $job.args }}
    args:
      {{- toYaml . | nindent 6 }}
    {{- end }}
    securityContext:
      {{- toYaml $root.Values.securityContext | nindent 6 }}
    {{- $env := include "plinth-service.env" $root }}
    {{- if $env }}
    env:
      {{- $env | nindent 6 }}
    {{- end }}
    {{- $envFrom := include "plinth-service.envFrom" $root }}
    {{- if $envFrom }}
    envFrom:
      {{- $envFrom | nindent 6 }}
    {{- end }}
    {{- with $root.Values.resources }}
    resources:
      {{- toYaml . | nindent 6 }}
    {{- end }}
    {{- with $mounts }}
    volumeMounts:
      {{- toYaml . | nindent 6 }}
    {{- end }}
{{- with $volumes }}
volumes:
  {{- toYaml . | nindent 2 }}
{{- end }}
{{- end -}}

{{- /* With hooks.syncWaves: the sync wave of the workload and of what points at it (its autoscaler),
     after the Jobs of hooks.yaml (waves 1 to n); an autoscaler in an earlier wave would report its
     missing target as Degraded and fail the sync. Empty otherwise. */}}
{{- define "plinth-service.workloadWaveAnnotation" -}}
{{- if and .Values.hooks.syncWaves .Values.hooks.preRelease -}}
argocd.argoproj.io/sync-wave: {{ add1 (len .Values.hooks.preRelease) | quote }}
{{- end -}}
{{- end -}}
