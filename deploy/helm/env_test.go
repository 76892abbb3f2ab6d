package helm

import (
	"testing"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
)

// An envSource is where a container's environment variable comes from: a
// value (given or from a ConfigMap), or a key of a Secret.
type envSource struct {
	value       string
	secret, key string
}

// containerEnv returns the environment of d's container called name, as
// Kubernetes builds it: the ConfigMaps of envFrom first, env over them.
func containerEnv(t *testing.T, r rendering, d *appsv1.Deployment, name string) map[string]envSource {
	t.Helper()
	for _, c := range d.Spec.Template.Spec.Containers {
		if c.Name != name {
			continue
		}
		env := map[string]envSource{}
		for _, ef := range c.EnvFrom {
			if ef.ConfigMapRef == nil {
				t.Fatalf("container %s: envFrom other than a ConfigMap", name)
			}
			cm := find[corev1.ConfigMap](r, ef.ConfigMapRef.Name)
			if cm == nil {
				t.Fatalf("container %s: ConfigMap %s is not rendered", name, ef.ConfigMapRef.Name)
			}
			for k, v := range cm.Data {
				env[ef.Prefix+k] = envSource{value: v}
			}
		}
		for _, e := range c.Env {
			switch {
			case e.ValueFrom == nil:
				env[e.Name] = envSource{value: e.Value}
			case e.ValueFrom.SecretKeyRef != nil:
				env[e.Name] = envSource{secret: e.ValueFrom.SecretKeyRef.Name, key: e.ValueFrom.SecretKeyRef.Key}
			default:
				t.Fatalf("container %s: env %s from neither a value nor a Secret", name, e.Name)
			}
		}
		return env
	}
	t.Fatalf("Deployment %s has no container %s", d.Name, name)
	return nil
}

// resolve returns the value of each variable of env, reading Secrets
// from r; variables from Secrets outside the chart are left out.
func resolve(r rendering, env map[string]envSource) map[string]string {
	out := map[string]string{}
	for k, src := range env {
		if src.secret == "" {
			out[k] = src.value
			continue
		}
		if s := find[corev1.Secret](r, src.secret); s != nil {
			out[k] = string(s.Data[src.key])
		}
	}
	return out
}

func wantEnv(t *testing.T, env map[string]envSource, name string, want envSource) {
	t.Helper()
	if got, ok := env[name]; !ok || got != want {
		t.Errorf("env %s = %+v (set: %v), want %+v", name, got, ok, want)
	}
}

func wantSecret(t *testing.T, r rendering, name, key, want string) {
	t.Helper()
	s := find[corev1.Secret](r, name)
	if s == nil || string(s.Data[key]) != want {
		t.Errorf("Secret %s key %s: %+v, want %q", name, key, s, want)
	}
}

func wantVolume(t *testing.T, d *appsv1.Deployment, name string, ok func(corev1.Volume) bool) {
	t.Helper()
	for _, v := range d.Spec.Template.Spec.Volumes {
		if v.Name == name {
			if !ok(v) {
				t.Errorf("volume %s: %+v", name, v.VolumeSource)
			}
			return
		}
	}
	t.Errorf("no volume %s", name)
}

func wantMount(t *testing.T, d *appsv1.Deployment, volume, path string) {
	t.Helper()
	for _, m := range d.Spec.Template.Spec.Containers[0].VolumeMounts {
		if m.Name == volume && m.MountPath == path {
			return
		}
	}
	t.Errorf("volume %s is not mounted at %s", volume, path)
}

// deploymentWith returns the one Deployment of r with a container called
// container.
func deploymentWith(t *testing.T, r rendering, container string) *appsv1.Deployment {
	t.Helper()
	var found []*appsv1.Deployment
	for _, d := range all[appsv1.Deployment](r) {
		for _, c := range d.Spec.Template.Spec.Containers {
			if c.Name == container {
				found = append(found, d)
			}
		}
	}
	if len(found) != 1 {
		t.Fatalf("%d Deployments with a container %s, want 1", len(found), container)
	}
	return found[0]
}
