package apiops

import (
	"context"
	"encoding/json"
	"fmt"
	"net/url"
	"path"
	"path/filepath"
	"strings"
	"time"

	"github.com/gatehouse/gatehouse/internal/certificate"
	"github.com/gatehouse/gatehouse/internal/mgmtclient"
	"github.com/gatehouse/gatehouse/internal/model"
)

// Certificate is a certificate with its material.
type Certificate struct {
	Name string
	// Thumbprint identifies the material: the management plane's, or
	// the one of the folder's material.
	Thumbprint string
	// Data is the material: PEM text (the chain, leaf first, then the
	// private key), or as a folder gives it (base64 PFX or DER, PEM).
	Data string
	// Password opens PFX Data; empty otherwise.
	Password string
	// HasKey says whether the material holds a private key (a client
	// certificate) or not (a CA certificate).
	HasKey bool
	File   string
}

// CertificateEnv is the environment variable that holds the material of
// the client certificate name when an export leaves its private key out:
// GATEHOUSE_CERTIFICATE_ and the name in upper case with other characters
// as '_'. The material is PEM text, or base64 PFX with its password in
// the variable CertificateEnv(name)+"_PASSWORD".
func CertificateEnv(name string) string {
	return "GATEHOUSE_CERTIFICATE_" + envName(name)
}

// certificate reads certificates/<name>/certificateInformation.json:
// {"properties": {"data", "password"}}, data and password as the
// management API takes them or as "${VAR}" naming the environment variable
// that holds them.
func (r *reader) certificate(rel, dirName string) {
	file := path.Join(rel, "certificateInformation.json")
	name, props, ok := r.info(model.KindCertificate, file, dirName)
	if !ok {
		return
	}
	var c model.Certificate
	if err := model.DecodeStrict(props, "properties", &c); err != nil {
		r.fail(file, "%v", err)
		return
	}
	data, ok := r.resolve(file, "data", c.Data)
	if !ok {
		return
	}
	password, ok := r.resolve(file, "password", c.Password)
	if !ok {
		return
	}
	if data == "" {
		r.fail(file, "the certificate %s has no data: give PEM text or base64 PFX data, or ${%s}", name, CertificateEnv(name))
		return
	}
	m, err := certificate.Parse(data, password, time.Now())
	if err != nil {
		r.fail(file, "%v", err)
		return
	}
	r.cfg.Certificates = append(r.cfg.Certificates, Certificate{Name: name, Thumbprint: m.Thumbprint(),
		Data: data, Password: password, HasKey: m.Key != nil, File: file})
	r.skipOthers(rel, "certificateInformation.json")
}

// resolve returns value, or the environment variable it names as
// "${VAR}"; a variable that is not set fails the file. An empty
// password's variable (CertificateEnv + "_PASSWORD") may be unset.
func (r *reader) resolve(file, field, value string) (string, bool) {
	m := placeholder.FindStringSubmatch(value)
	if m == nil {
		return value, true
	}
	v, ok := r.env(m[1])
	if !ok && field != "password" {
		r.fail(file, "properties.%s names the environment variable %s, which is not set", field, m[1])
		return "", false
	}
	return v, true
}

// fetchCertificates lists the certificates with their material.
func fetchCertificates(ctx context.Context, c *mgmtclient.Client) ([]Certificate, error) {
	list, err := c.List(ctx, "/certificates")
	if err != nil {
		return nil, err
	}
	out := make([]Certificate, 0, len(list))
	for _, r := range list {
		var props model.Certificate
		if err := json.Unmarshal(r.Properties, &props); err != nil {
			return nil, fmt.Errorf("certificate %s: %w", r.Name, err)
		}
		var m struct {
			Certificate string `json:"certificate"`
			PrivateKey  string `json:"privateKey"`
		}
		if err := c.Post(ctx, "/certificates/"+url.PathEscape(r.Name)+"/listSecrets", nil, &m); err != nil {
			return nil, err
		}
		out = append(out, Certificate{Name: r.Name, Thumbprint: props.Thumbprint, Data: m.Certificate + m.PrivateKey, HasKey: m.PrivateKey != ""})
	}
	return out, nil
}

// planCertificates adds the writes of the folder's certificates whose
// material differs from the management plane's (by thumbprint).
func (p *Plan) planCertificates(desired, current []Certificate) {
	for _, d := range desired {
		body := map[string]string{"data": d.Data}
		if d.Password != "" {
			body["password"] = d.Password
		}
		cur, ok := findCertificate(current, d.Name)
		switch {
		case !ok:
			p.Steps = append(p.Steps, Step{Action: Create, Path: "/certificates/" + d.Name, body: body, File: d.File})
		case cur.Thumbprint != d.Thumbprint:
			p.Steps = append(p.Steps, Step{Action: Update, Path: "/certificates/" + cur.Name, body: body, File: d.File,
				Details: []string{"thumbprint " + cur.Thumbprint + " → " + d.Thumbprint}})
		}
	}
}

// pruneCertificates adds the deletions of the certificates the folder
// lacks.
func (p *Plan) pruneCertificates(desired, current []Certificate) {
	for _, c := range current {
		if _, ok := findCertificate(desired, c.Name); !ok {
			p.Steps = append(p.Steps, Step{Action: Delete, Path: "/certificates/" + c.Name})
		}
	}
}

func findCertificate(cs []Certificate, name string) (Certificate, bool) {
	for _, c := range cs {
		if strings.EqualFold(c.Name, name) {
			return c, true
		}
	}
	return Certificate{}, false
}

// writeCertificates writes each certificate's information file: the
// material as PEM, except the private key of a client certificate, which
// only includeSecrets writes; without it the data names the environment
// variable apply reads the material from.
func (w *writer) writeCertificates(cs []Certificate, includeSecrets bool) {
	for _, c := range cs {
		props := map[string]string{"data": c.Data}
		if c.HasKey && !includeSecrets {
			env := CertificateEnv(c.Name)
			props = map[string]string{"data": "${" + env + "}", "password": "${" + env + "_PASSWORD}"}
		}
		b, err := json.Marshal(props)
		if err != nil && w.err == nil {
			w.err = fmt.Errorf("certificate %s: %w", c.Name, err)
		}
		w.info(filepath.Join("certificates", c.Name, "certificateInformation.json"), b)
	}
}
