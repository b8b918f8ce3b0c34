{{/* Header comment on every manifest. */}}
{{- define "svc.header" -}}
# Rendered by helm-engine (Helm's template engine) from the values of {{ .Values.name }}. Do not edit.
{{- end }}

{{/* Common labels, in deployc's (sorted) order. */}}
{{- define "svc.labels" -}}
app.kubernetes.io/instance: {{ .Values.name }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
app.kubernetes.io/name: {{ .Values.name }}
app.kubernetes.io/part-of: {{ .Values.name }}
app.kubernetes.io/version: {{ .Values.version | quote }}
{{- end }}

{{- define "svc.selectorLabels" -}}
app.kubernetes.io/instance: {{ .Values.name }}
app.kubernetes.io/name: {{ .Values.name }}
{{- end }}

{{/* 0.06 -> 6 */}}
{{- define "svc.pct" -}}
{{ printf "%g" (round (mulf . 100) 2) }}
{{- end }}

{{/* error_rate -> error-rate (Kubernetes names). */}}
{{- define "svc.dns" -}}
{{ . | replace "_" "-" }}
{{- end }}

{{- define "svc.gateName" -}}
{{ .Values.name }}-rollout-{{ include "svc.dns" .Values.metric.name }}
{{- end }}

{{- define "svc.triggerName" -}}
{{ .Values.name }}-trigger-{{ include "svc.dns" .Values.trigger.name }}
{{- end }}

{{/* No data is neither success nor failure (deployc's guard). */}}
{{- define "svc.guard" -}}
len(result) > 0 && !isNaN(result[0])
{{- end }}
