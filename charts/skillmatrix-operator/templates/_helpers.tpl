{{/*
Chart name, truncated to 63 characters.
*/}}
{{- define "skillmatrix-operator.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/*
Full name of the operator's own objects: the release name, followed by the
chart name unless the release name already contains it. The admission policy
and the ClusterRoles for people do not use it: their names are fixed.
*/}}
{{- define "skillmatrix-operator.fullname" -}}
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

{{/*
Chart name and version for the helm.sh/chart label.
*/}}
{{- define "skillmatrix-operator.chart" -}}
{{- printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/*
Labels of every object.
*/}}
{{- define "skillmatrix-operator.labels" -}}
helm.sh/chart: {{ include "skillmatrix-operator.chart" . }}
app.kubernetes.io/name: {{ include "skillmatrix-operator.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
app.kubernetes.io/part-of: skillmatrix-operator
{{- end }}

{{/*
Labels of the manager's Deployment, Pods, Service and the like.
*/}}
{{- define "skillmatrix-operator.managerLabels" -}}
{{ include "skillmatrix-operator.labels" . }}
app.kubernetes.io/component: controller-manager
{{- end }}

{{/*
Labels that select the manager Pods.
*/}}
{{- define "skillmatrix-operator.selectorLabels" -}}
app.kubernetes.io/name: {{ include "skillmatrix-operator.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/component: controller-manager
{{- end }}

{{/*
Name of the manager's ServiceAccount.
*/}}
{{- define "skillmatrix-operator.serviceAccountName" -}}
{{- if .Values.serviceAccount.create }}
{{- default (include "skillmatrix-operator.fullname" .) .Values.serviceAccount.name }}
{{- else }}
{{- required "serviceAccount.name is required when serviceAccount.create is false" .Values.serviceAccount.name }}
{{- end }}
{{- end }}

{{/*
The manager image: repository@digest when a digest is set, else
repository:tag with the tag defaulting to the chart's appVersion.
*/}}
{{- define "skillmatrix-operator.image" -}}
{{- if .Values.image.digest }}
{{- printf "%s@%s" .Values.image.repository .Values.image.digest }}
{{- else }}
{{- printf "%s:%s" .Values.image.repository (default .Chart.AppVersion .Values.image.tag) }}
{{- end }}
{{- end }}

{{/*
Renders the objects of a file under files/ (copied from config/ by
hack/sync-chart.sh) unchanged but for their labels: the chart's labels
replace app.kubernetes.io/name and app.kubernetes.io/managed-by, other labels
(such as rbac.authorization.k8s.io/aggregate-to-view) stay. Names stay as in
config/. Call with (dict "ctx" $ "file" "files/....yaml").
*/}}
{{- define "skillmatrix-operator.configObjects" -}}
{{- $ctx := .ctx }}
{{- $file := .file }}
{{- $content := $ctx.Files.Get $file }}
{{- if not $content }}
{{- fail (printf "%s is missing from the chart: run hack/sync-chart.sh" $file) }}
{{- end }}
{{- range $doc := regexSplit "(?m)^---[ \t]*$" $content -1 }}
{{- $obj := fromYaml $doc }}
{{- if hasKey $obj "Error" }}
{{- fail (printf "%s: %s" $file $obj.Error) }}
{{- end }}
{{- if hasKey $obj "kind" }}
{{- $labels := omit ($obj.metadata.labels | default dict) "app.kubernetes.io/name" "app.kubernetes.io/managed-by" }}
{{- $_ := set $obj.metadata "labels" (merge (include "skillmatrix-operator.labels" $ctx | fromYaml) $labels) }}
---
{{ toYaml $obj }}
{{- end }}
{{- end }}
{{- end }}

{{/*
Labels of the portal's Deployment, Pods, Service and the like.
*/}}
{{- define "skillmatrix-operator.portalLabels" -}}
{{ include "skillmatrix-operator.labels" . }}
app.kubernetes.io/component: portal
{{- end }}

{{/*
Labels that select the portal Pods.
*/}}
{{- define "skillmatrix-operator.portalSelectorLabels" -}}
app.kubernetes.io/name: {{ include "skillmatrix-operator.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/component: portal
{{- end }}

{{/*
Name of the portal's ServiceAccount.
*/}}
{{- define "skillmatrix-operator.portalServiceAccountName" -}}
{{- if .Values.portal.serviceAccount.create }}
{{- default (printf "%s-portal" (include "skillmatrix-operator.fullname" .)) .Values.portal.serviceAccount.name }}
{{- else }}
{{- required "portal.serviceAccount.name is required when portal.serviceAccount.create is false" .Values.portal.serviceAccount.name }}
{{- end }}
{{- end }}

{{/*
The resources of the manager's generated rules that are cluster-scoped by
nature and so stay in its ClusterRole when watchNamespaces is set; every
other resource is granted per watched namespace (templates/manager-rbac.yaml).
*/}}
{{- define "skillmatrix-operator.clusterScopedResources" -}}
- subjectaccessreviews
- tokenreviews
- validatingadmissionpolicies
- validatingadmissionpolicybindings
{{- end }}

{{/*
The namespace of the admission policies' parameters: this release's, or the
one admissionPolicy.paramsNamespace names (the release that installs them).
*/}}
{{- define "skillmatrix-operator.paramsNamespace" -}}
{{- .Values.admissionPolicy.paramsNamespace | default .Release.Namespace }}
{{- end }}

{{/*
The namespaces the portal caches and shows: portal.namespaces, else the
manager's watchNamespaces; empty (all namespaces) when both are.
*/}}
{{- define "skillmatrix-operator.portalNamespaces" -}}
{{- toYaml (.Values.portal.namespaces | default .Values.watchNamespaces | default list) }}
{{- end }}
