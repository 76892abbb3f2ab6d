package helm

import (
	"slices"
	"strings"
	"testing"

	monitoringv1 "github.com/prometheus-operator/prometheus-operator/pkg/apis/monitoring/v1"
	appsv1 "k8s.io/api/apps/v1"
	autoscalingv2 "k8s.io/api/autoscaling/v2"
	corev1 "k8s.io/api/core/v1"
	policyv1 "k8s.io/api/policy/v1"
)

const (
	gatewayChart = "gatehouse-gateway"
	statusPath   = "/internal-status-0123456789abcdef" // gateway.ReadinessPath
	testToken    = "GatewayKey edge&203001010000&bTNMcDl2S3lRc2JzWm9Eb2tqR2h6Q3N2dlF2bWJnUnF0a0t1bmR3a0pTZnV4Rmx4Q3p0dE1qR1VjY2dLQzNyaQ=="
)

// gatewayBase is what a user must give the gateway chart: the endpoint
// and a token.
var gatewayBase = map[string]any{"gateway": map[string]any{
	"configuration": map[string]any{"uri": "https://gatehouse.example.com:8090"},
	"auth":          map[string]any{"key": testToken},
}}

// TestGatewayChart renders the gateway chart with its defaults and with
// each example, and checks what the gateway needs from each.
func TestGatewayChart(t *testing.T) {
	checks := map[string]func(t *testing.T, r rendering, env map[string]envSource){
		"defaults": func(t *testing.T, r rendering, env map[string]envSource) {
			d := one[appsv1.Deployment](t, r)
			if d.Spec.Replicas == nil || *d.Spec.Replicas != 2 {
				t.Errorf("replicas %v, want 2", d.Spec.Replicas)
			}
			wantEnv(t, env, "config.service.auth", envSource{secret: "edge-gatehouse-gateway", key: "gateway-key"})
			wantSecret(t, r, "edge-gatehouse-gateway", "gateway-key", testToken)
			wantVolume(t, d, "backup", func(v corev1.Volume) bool { return v.EmptyDir != nil })
			one[policyv1.PodDisruptionBudget](t, r)
			if len(all[autoscalingv2.HorizontalPodAutoscaler](r)) != 0 || len(all[monitoringv1.ServiceMonitor](r)) != 0 {
				t.Error("an autoscaler or a ServiceMonitor without being asked")
			}
			if s := find[corev1.Service](r, "edge-gatehouse-gateway"); s == nil || s.Spec.Type != corev1.ServiceTypeClusterIP || len(s.Spec.Ports) != 1 || s.Spec.Ports[0].Port != 8080 {
				t.Errorf("gateway Service: %+v, want ClusterIP with port 8080 only", s)
			}
			if find[corev1.Service](r, "edge-gatehouse-gateway-metrics") == nil {
				t.Error("no metrics Service")
			}
		},
		"token": func(t *testing.T, r rendering, env map[string]envSource) {
			if _, ok := env["gateway.name"]; ok {
				t.Error("gateway.name is set, though the token names the gateway")
			}
			wantEnv(t, env, "config.service.auth", envSource{secret: "edge-gatehouse-gateway", key: "gateway-key"})
		},
		"existing-secret": func(t *testing.T, r rendering, env map[string]envSource) {
			wantEnv(t, env, "config.service.auth", envSource{secret: "edge-gateway-token", key: "value"})
			wantEnv(t, env, "gateway.name", envSource{value: "edge"})
			if len(all[corev1.Secret](r)) != 0 {
				t.Error("a Secret is rendered beside the existing one")
			}
		},
		"workload-identity": func(t *testing.T, r rendering, env map[string]envSource) {
			d := one[appsv1.Deployment](t, r)
			wantEnv(t, env, "config.service.auth", envSource{value: "workloadIdentity"})
			wantEnv(t, env, "gateway.name", envSource{value: "edge"})
			wantEnv(t, env, "GATEHOUSE_TOKEN_FILE", envSource{value: "/var/run/secrets/gatehouse/token"})
			wantVolume(t, d, "token", func(v corev1.Volume) bool {
				p := v.Projected
				return p != nil && len(p.Sources) == 1 && p.Sources[0].ServiceAccountToken != nil &&
					p.Sources[0].ServiceAccountToken.Audience == "api://AzureADTokenExchange" && p.Sources[0].ServiceAccountToken.Path == "token"
			})
			wantMount(t, d, "token", "/var/run/secrets/gatehouse")
			sa := find[corev1.ServiceAccount](r, d.Spec.Template.Spec.ServiceAccountName)
			if sa == nil || sa.Annotations["azure.workload.identity/client-id"] != "00000000-0000-0000-0000-000000000000" {
				t.Errorf("service account %+v has no workload identity client id", sa)
			}
			if d.Spec.Template.Labels["azure.workload.identity/use"] != "true" {
				t.Error("pods are not labelled for the workload identity webhook")
			}
			if len(all[corev1.Secret](r)) != 0 {
				t.Error("a Secret is rendered for workload identity")
			}
		},
		"production": func(t *testing.T, r rendering, env map[string]envSource) {
			d := one[appsv1.Deployment](t, r)
			if d.Spec.Replicas != nil {
				t.Error("replicas set beside the autoscaler")
			}
			if got := d.Spec.Template.Spec.Containers[0].Image; got != "registry.example.com/platform/gatehouse-gateway@sha256:0000000000000000000000000000000000000000000000000000000000000000" {
				t.Errorf("image %s, want the digest", got)
			}
			wantVolume(t, d, "backup", func(v corev1.Volume) bool {
				return v.PersistentVolumeClaim != nil && v.PersistentVolumeClaim.ClaimName == "edge-gatehouse-gateway-backup"
			})
			pvc := find[corev1.PersistentVolumeClaim](r, "edge-gatehouse-gateway-backup")
			if pvc == nil || !slices.Equal(pvc.Spec.AccessModes, []corev1.PersistentVolumeAccessMode{corev1.ReadWriteMany}) {
				t.Errorf("backup claim %+v, want ReadWriteMany", pvc)
			}
			wantEnv(t, env, "GATEHOUSE_BACKUP_KEY", envSource{secret: "edge-backup-key", key: "backup-key"})
			wantEnv(t, env, "GATEHOUSE_REDIS", envSource{secret: "edge-redis", key: "url"})
			wantEnv(t, env, "GATEHOUSE_GATEWAY_HTTPS", envSource{value: ":8081"})
			wantEnv(t, env, "GATEHOUSE_NEGOTIATE_CLIENT_CERTIFICATE", envSource{value: "true"})
			wantEnv(t, env, "GATEHOUSE_CA_FILE", envSource{value: "/etc/gatehouse/ca/ca.crt"})
			wantEnv(t, env, "OTEL_EXPORTER_OTLP_ENDPOINT", envSource{value: "http://otel-collector.observability:4317"})
			wantEnv(t, env, "OTEL_EXPORTER_OTLP_PROTOCOL", envSource{value: "grpc"})
			wantEnv(t, env, "OTEL_EXPORTER_OTLP_HEADERS", envSource{secret: "otel-collector-auth", key: "headers"})
			wantEnv(t, env, "OTEL_SERVICE_NAME", envSource{value: "edge-gatehouse-gateway"})
			wantEnv(t, env, "OTEL_TRACES_SAMPLER", envSource{value: "parentbased_traceidratio"})
			wantEnv(t, env, "OTEL_TRACES_SAMPLER_ARG", envSource{value: "0.1"})
			wantEnv(t, env, "OTEL_RESOURCE_ATTRIBUTES", envSource{value: "deployment.environment=production"})
			wantEnv(t, env, "GATEHOUSE_BACKEND_TIMEOUT", envSource{value: "60s"})
			if s := find[corev1.Service](r, "edge-gatehouse-gateway"); s == nil || s.Spec.Type != corev1.ServiceTypeLoadBalancer || len(s.Spec.Ports) != 2 {
				t.Errorf("gateway Service %+v, want a LoadBalancer with HTTP and HTTPS", s)
			}
			h := one[autoscalingv2.HorizontalPodAutoscaler](t, r)
			if *h.Spec.MinReplicas != 3 || h.Spec.MaxReplicas != 10 {
				t.Errorf("autoscaler %d-%d, want 3-10", *h.Spec.MinReplicas, h.Spec.MaxReplicas)
			}
			m := one[monitoringv1.ServiceMonitor](t, r)
			if m.Labels["release"] != "prometheus" {
				t.Errorf("ServiceMonitor labels %v", m.Labels)
			}
			if tsc := d.Spec.Template.Spec.TopologySpreadConstraints; len(tsc) != 2 || tsc[0].WhenUnsatisfiable != corev1.DoNotSchedule {
				t.Errorf("topology spread %+v", tsc)
			}
		},
	}
	for _, c := range cases(t, gatewayChart, gatewayBase) {
		t.Run(c.name(), func(t *testing.T) {
			t.Parallel()
			r := renderCase(t, c)
			d := one[appsv1.Deployment](t, r)
			env := containerEnv(t, r, d, "gateway")
			checkGatewayPod(t, d, env)
			check := checks[strings.TrimPrefix(c.name(), gatewayChart+"/")]
			if check == nil {
				t.Fatalf("no checks for %s", c.name())
			}
			check(t, r, env)
		})
	}
}

// checkGatewayPod checks what every gateway pod needs: the endpoint, the
// probes on the status path, a writable backup location and /tmp, and
// the listener on the port the probes and Service use.
func checkGatewayPod(t *testing.T, d *appsv1.Deployment, env map[string]envSource) {
	t.Helper()
	c := d.Spec.Template.Spec.Containers[0]
	if env["config.service.endpoint"].value == "" {
		t.Error("no config.service.endpoint")
	}
	for name, p := range map[string]*corev1.Probe{"readiness": c.ReadinessProbe, "liveness": c.LivenessProbe} {
		if p == nil || p.HTTPGet == nil || p.HTTPGet.Path != statusPath || p.HTTPGet.Port.StrVal != "http" {
			t.Errorf("%s probe %+v, want GET %s on port http", name, p, statusPath)
		}
	}
	if !hasPort(c, "http") || containerPort(d, "http").ContainerPort != 8080 {
		t.Error("no container port http 8080")
	}
	wantEnv(t, env, "GATEHOUSE_GATEWAY_HTTP", envSource{value: ":8080"})
	wantEnv(t, env, "GATEHOUSE_BACKUP", envSource{value: "/var/lib/gatehouse/backup.json"})
	wantMount(t, d, "backup", "/var/lib/gatehouse")
	wantMount(t, d, "tmp", "/tmp")
	if d.Spec.Template.Annotations["checksum/config"] == "" {
		t.Error("pods do not restart when the configuration changes: no checksum/config annotation")
	}
}

// TestGatewayChartRefusals: values that cannot make a working gateway are
// refused when rendering, with a message that says what to give.
func TestGatewayChartRefusals(t *testing.T) {
	tests := []struct {
		name string
		vals map[string]any
		want string
	}{
		{"no endpoint", map[string]any{}, "gateway.configuration.uri is required"},
		{"no token", map[string]any{"gateway": map[string]any{"configuration": map[string]any{"uri": "https://plane:8090"}}}, "needs gateway.auth.key"},
		{"workload identity without a name", map[string]any{"gateway": map[string]any{"configuration": map[string]any{"uri": "https://plane:8090"},
			"auth": map[string]any{"type": "WorkloadIdentity"}}}, "needs gateway.name"},
		{"unknown auth type", map[string]any{"gateway": map[string]any{"configuration": map[string]any{"uri": "https://plane:8090"},
			"auth": map[string]any{"type": "Certificate"}}}, "/gateway/auth/type"},
		{"misspelt value", map[string]any{"gateway": map[string]any{"configuration": map[string]any{"uri": "https://plane:8090", "bakup": true},
			"auth": map[string]any{"key": testToken}}}, "bakup"},
		{"OTLP over http/json", map[string]any{"gateway": map[string]any{"configuration": map[string]any{"uri": "https://plane:8090"}, "auth": map[string]any{"key": testToken}},
			"observability": map[string]any{"opentelemetry": map[string]any{"enabled": true, "collector": map[string]any{"uri": "http://c:4318", "protocol": "http/json"}}}},
			"/observability/opentelemetry/collector/protocol"},
		{"sampler ratio above 1", map[string]any{"gateway": map[string]any{"configuration": map[string]any{"uri": "https://plane:8090"}, "auth": map[string]any{"key": testToken}},
			"observability": map[string]any{"opentelemetry": map[string]any{"enabled": true, "collector": map[string]any{"uri": "http://c:4317"}, "samplerArg": "2"}}},
			"/observability/opentelemetry/samplerArg"},
		{"backup without a claim", map[string]any{"gateway": map[string]any{"configuration": map[string]any{"uri": "https://plane:8090",
			"backup": map[string]any{"enabled": true, "persistentVolumeClaim": map[string]any{"create": false}}}, "auth": map[string]any{"key": testToken}}}, "existingName"},
	}
	ch := load(t, gatewayChart)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := render(ch, tt.vals)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("render: %v, want an error saying %q", err, tt.want)
			}
		})
	}
}
