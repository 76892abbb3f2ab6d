package source

import (
	"context"
	"encoding/json"
	"fmt"
	"regexp"
	"sort"
	"strings"

	"github.com/gatehouse/gatehouse/internal/model"
	"github.com/gatehouse/gatehouse/internal/snapshot"
	"github.com/gatehouse/gatehouse/internal/store"
)

var backendIDAttr = regexp.MustCompile(`(?is)\bbackend-id\s*=\s*(?:"([^"]*)"|'([^']*)')`)

// buildBackends fills s.Backends with the backend entities that s's
// policies name (and the members of those that are pools), s.Certificates
// with the certificates those backends and the policies'
// authentication-certificate elements use and the gateway's certificate
// authorities, and s.CertificateAuthorities.
func buildBackends(ctx context.Context, r store.Reader, s *snapshot.Snapshot) error {
	all, err := r.List(ctx, store.Query{Kind: model.KindBackend})
	if err != nil {
		return fmt.Errorf("build snapshot: backends: %w", err)
	}
	backends := make(map[string]*model.Backend, len(all))
	for _, rec := range all {
		var b model.Backend
		if err := json.Unmarshal(rec.Props, &b); err != nil {
			return fmt.Errorf("build snapshot: backend %s: %w", rec.ID, err)
		}
		backends[strings.ToLower(rec.ID)] = &b
	}
	texts := policyTexts(s)
	nv := s.Policy.NamedValues
	resolve := func(v string) string { return model.ExpandNamedValues(v, nv) }
	wantCerts := map[string]bool{}
	var wantThumbs []string
	queue := []string{}
	for _, t := range texts {
		for _, m := range backendIDAttr.FindAllStringSubmatch(t, -1) {
			queue = append(queue, strings.ToLower(strings.TrimSpace(resolve(m[1]+m[2]))))
		}
		ids, thumbs := model.CertificateRefs(t, resolve)
		for _, id := range ids {
			wantCerts[strings.ToLower(id)] = true
		}
		wantThumbs = append(wantThumbs, thumbs...)
	}
	seen := map[string]bool{}
	for len(queue) > 0 {
		id := queue[0]
		queue = queue[1:]
		b := backends[id]
		if b == nil || seen[id] {
			continue
		}
		seen[id] = true
		if s.Backends == nil {
			s.Backends = map[string]snapshot.Backend{}
		}
		s.Backends[id] = gatewayBackend(b, nv)
		for _, c := range s.Backends[id].CertificateIDs {
			wantCerts[c] = true
		}
		if b.Pool != nil {
			for _, m := range b.Pool.Services {
				queue = append(queue, strings.ToLower(m.ID))
			}
		}
	}
	cas, err := r.List(ctx, store.Query{Kind: model.KindGatewayCertificateAuthority, Parent: s.Gateway})
	if err != nil {
		return fmt.Errorf("build snapshot: certificate authorities: %w", err)
	}
	for _, rec := range cas {
		var ca model.GatewayCertificateAuthority
		if err := json.Unmarshal(rec.Props, &ca); err != nil {
			return fmt.Errorf("build snapshot: certificate authority %s: %w", rec.ID, err)
		}
		id := strings.ToLower(rec.ID)
		wantCerts[id] = true
		s.CertificateAuthorities = append(s.CertificateAuthorities, snapshot.CertificateAuthority{CertificateID: id, Trusted: ca.IsTrusted})
	}
	return buildCertificates(ctx, r, s, wantCerts, wantThumbs)
}

// gatewayBackend converts a backend entity, resolving named values in its
// credentials.
func gatewayBackend(b *model.Backend, nv map[string]string) snapshot.Backend {
	out := snapshot.Backend{URL: b.URL, ValidateCertificateChain: b.TLS.ChainValidated(), ValidateCertificateName: b.TLS.NameValidated()}
	expand := func(in map[string][]string) map[string][]string {
		if len(in) == 0 {
			return nil
		}
		m := make(map[string][]string, len(in))
		for k, vs := range in {
			for _, v := range vs {
				m[k] = append(m[k], model.ExpandNamedValues(v, nv))
			}
		}
		return m
	}
	if c := b.Credentials; c != nil {
		out.Header, out.Query = expand(c.Header), expand(c.Query)
		if a := c.Authorization; a != nil {
			out.Authorization = &snapshot.Authorization{Scheme: model.ExpandNamedValues(a.Scheme, nv), Parameter: model.ExpandNamedValues(a.Parameter, nv)}
		}
		for _, id := range c.CertificateIDs {
			out.CertificateIDs = append(out.CertificateIDs, strings.ToLower(id))
		}
	}
	return out
}

// buildCertificates adds the wanted certificates, by id or thumbprint.
func buildCertificates(ctx context.Context, r store.Reader, s *snapshot.Snapshot, ids map[string]bool, thumbs []string) error {
	if len(ids) == 0 && len(thumbs) == 0 {
		return nil
	}
	recs, err := r.List(ctx, store.Query{Kind: model.KindCertificate})
	if err != nil {
		return fmt.Errorf("build snapshot: certificates: %w", err)
	}
	for _, rec := range recs {
		var c model.Certificate
		if err := json.Unmarshal(rec.Props, &c); err != nil {
			return fmt.Errorf("build snapshot: certificate %s: %w", rec.ID, err)
		}
		id := strings.ToLower(rec.ID)
		want := ids[id]
		for _, t := range thumbs {
			want = want || strings.EqualFold(t, c.Thumbprint)
		}
		if !want {
			continue
		}
		if s.Certificates == nil {
			s.Certificates = map[string]snapshot.Certificate{}
		}
		s.Certificates[id] = snapshot.Certificate{ID: rec.ID, Thumbprint: c.Thumbprint, PEM: string(rec.Secret)}
	}
	return nil
}

// policyTexts returns every policy document of s, in a stable order.
func policyTexts(s *snapshot.Snapshot) []string {
	texts := []string{s.Policy.Global}
	frags := make([]string, 0, len(s.Policy.Fragments))
	for id := range s.Policy.Fragments {
		frags = append(frags, id)
	}
	sort.Strings(frags)
	for _, id := range frags {
		texts = append(texts, s.Policy.Fragments[id])
	}
	for _, a := range s.APIs {
		texts = append(texts, a.Policy)
		for _, o := range a.Operations {
			texts = append(texts, o.Policy)
		}
	}
	for _, p := range s.Products {
		texts = append(texts, p.Policy)
	}
	return texts
}
