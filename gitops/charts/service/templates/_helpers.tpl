{{- define "service.name" -}}
{{- required "values: name is required (the service name)" .Values.name -}}
{{- end -}}

{{- define "service.labels" -}}
app.kubernetes.io/name: {{ include "service.name" . }}
app.kubernetes.io/part-of: platform-services
app.kubernetes.io/managed-by: {{ .Release.Service }}
platform.io/env: {{ required "values: env is required" .Values.env }}
{{- end -}}

{{- define "service.selector" -}}
app.kubernetes.io/name: {{ include "service.name" . }}
{{- end -}}

{{- define "service.image" -}}
{{- required "values: image.repository is required" .Values.image.repository }}:{{ required "values: image.tag is required" .Values.image.tag }}
{{- end -}}

{{- define "service.workloadKind" -}}
{{- if eq .Values.workload "rollout" -}}Rollout{{- else if eq .Values.workload "deployment" -}}Deployment{{- else -}}{{- fail (printf "values: workload must be rollout or deployment, not %q" .Values.workload) -}}{{- end -}}
{{- end -}}

{{- define "service.podTemplate" -}}
metadata:
  labels:
    {{- include "service.labels" . | nindent 4 }}
  annotations:
    # The Istio agent scrapes the application and serves its metrics merged with Envoy's on 15020.
    prometheus.io/scrape: "true"
    prometheus.io/port: {{ .Values.port | quote }}
    prometheus.io/path: {{ .Values.monitoring.path | quote }}
spec:
  serviceAccountName: {{ include "service.name" . }}
  automountServiceAccountToken: false
  securityContext:
    runAsNonRoot: true
    runAsUser: 65532
    runAsGroup: 65532
    fsGroup: 65532
    seccompProfile:
      type: RuntimeDefault
  containers:
    - name: app
      image: {{ include "service.image" . }}
      imagePullPolicy: IfNotPresent
      ports:
        - name: http
          containerPort: {{ .Values.port }}
          protocol: TCP
      {{- if .Values.secrets.enabled }}
      envFrom:
        - secretRef:
            name: {{ include "service.name" . }}-credentials
      {{- end }}
      env:
        - name: PORT
          value: {{ .Values.port | quote }}
      readinessProbe:
        httpGet:
          path: {{ .Values.probes.readiness }}
          port: http
        periodSeconds: 5
      livenessProbe:
        httpGet:
          path: {{ .Values.probes.liveness }}
          port: http
        periodSeconds: 10
        failureThreshold: 3
      resources:
        {{- toYaml .Values.resources | nindent 8 }}
      securityContext:
        allowPrivilegeEscalation: false
        readOnlyRootFilesystem: true
        runAsNonRoot: true
        capabilities:
          drop: ["ALL"]
        seccompProfile:
          type: RuntimeDefault
      volumeMounts:
        - name: tmp
          mountPath: /tmp
  volumes:
    - name: tmp
      emptyDir: {}
  topologySpreadConstraints:
    - maxSkew: 1
      topologyKey: topology.kubernetes.io/zone
      whenUnsatisfiable: ScheduleAnyway
      labelSelector:
        matchLabels:
          {{- include "service.selector" . | nindent 10 }}
    - maxSkew: 1
      topologyKey: kubernetes.io/hostname
      whenUnsatisfiable: ScheduleAnyway
      labelSelector:
        matchLabels:
          {{- include "service.selector" . | nindent 10 }}
{{- end -}}
