package control

import (
	"context"
	"errors"
	"slices"
	"strings"

	"github.com/gatehouse/gatehouse/internal/certificate"
	"github.com/gatehouse/gatehouse/internal/model"
	"github.com/gatehouse/gatehouse/internal/policy"
	"github.com/gatehouse/gatehouse/internal/store"
)

// use says what refers to a certificate: the first backend, policy (by
// id, by thumbprint) and gateway found, each empty when none.
type use struct {
	backend, policyByID, policyByThumbprint, gateway string
	// backendByThumbprint is the first backend naming the certificate in
	// credentials.certificate, by its thumbprint.
	backendByThumbprint string
}

// checkCertificate decodes the uploaded material (PFX with its password,
// a DER certificate or PEM), seals it as PEM in the record's secret and
// replaces data and password with the subject, thumbprint and expiration
// date. On replace, leaving data out keeps the current material.
func checkCertificate(ctx context.Context, tx store.Tx, rec *store.Record, props model.Properties, old *store.Record, env checkEnv) error {
	c := props.(*model.Certificate)
	if c.Data == "" {
		if old == nil {
			return Invalid("properties.data", "A certificate needs data: base64 PKCS#12 (PFX) data with its password, or PEM text.")
		}
		var o model.Certificate
		if err := DecodeStored(old, &o); err != nil {
			return err
		}
		*c = model.Certificate{Subject: o.Subject, Thumbprint: o.Thumbprint, ExpirationDate: o.ExpirationDate}
		rec.Secret = old.Secret
		return nil
	}
	m, err := certificate.Parse(c.Data, c.Password, env.now())
	if err != nil {
		var ce *certificate.Error
		if errors.As(err, &ce) {
			return Invalid("properties."+ce.Field, "The certificate's "+ce.Field+" "+ce.Msg+".")
		}
		return err
	}
	if old != nil {
		if err := checkReplacement(ctx, tx, old, m.Thumbprint(), m.Key != nil); err != nil {
			return err
		}
	}
	pemText, err := m.PEM()
	if err != nil {
		return err
	}
	exp := m.Leaf().NotAfter.UTC()
	*c = model.Certificate{Subject: m.Subject(), Thumbprint: m.Thumbprint(), ExpirationDate: &exp}
	rec.Secret = pemText
	return nil
}

// removeCertificate refuses to delete a certificate that a backend, a
// policy's authentication-certificate or a gateway's certificate
// authorities use.
func removeCertificate(ctx context.Context, tx store.Tx, rec *store.Record, _ RemoveOptions) error {
	var c model.Certificate
	if err := DecodeStored(rec, &c); err != nil {
		return err
	}
	u, err := certificateUse(ctx, tx, rec.ID, c.Thumbprint)
	if err != nil {
		return err
	}
	switch {
	case u.backend != "":
		return Conflict("certificateId", "The certificate '"+rec.ID+"' is used by backend '"+u.backend+"'.")
	case u.backendByThumbprint != "":
		return Conflict("certificateId", "The certificate '"+rec.ID+"' (thumbprint "+c.Thumbprint+") is used by backend '"+u.backendByThumbprint+"'.")
	case u.policyByID != "":
		return Conflict("certificateId", "The certificate '"+rec.ID+"' is used by "+u.policyByID+".")
	case u.policyByThumbprint != "":
		return Conflict("certificateId", "The certificate '"+rec.ID+"' (thumbprint "+c.Thumbprint+") is used by "+u.policyByThumbprint+".")
	case u.gateway != "":
		return Conflict("certificateId", "The certificate '"+rec.ID+"' is a certificate authority of gateway '"+u.gateway+"'.")
	}
	return nil
}

// certificateUse finds what uses the certificate id with thumbprint.
func certificateUse(ctx context.Context, tx store.Reader, id, thumbprint string) (use, error) {
	var u use
	backends, err := tx.List(ctx, store.Query{Kind: model.KindBackend})
	if err != nil {
		return u, err
	}
	for _, other := range backends {
		var b model.Backend
		if err := DecodeStored(other, &b); err != nil {
			return u, err
		}
		if b.Credentials == nil {
			continue
		}
		if u.backend == "" && slices.ContainsFunc(b.Credentials.CertificateIDs, func(c string) bool { return strings.EqualFold(c, id) }) {
			u.backend = other.ID
		}
		if u.backendByThumbprint == "" && thumbprint != "" && slices.ContainsFunc(b.Credentials.Certificate, func(c string) bool { return strings.EqualFold(c, thumbprint) }) {
			u.backendByThumbprint = other.ID
		}
	}
	cas, err := tx.List(ctx, store.Query{Kind: model.KindGatewayCertificateAuthority, ID: id})
	if err != nil {
		return u, err
	}
	if len(cas) > 0 {
		u.gateway = cas[0].Parent
	}
	return u, nil
}

// checkReplacement refuses new material for a certificate in use that
// would break its users: a policy naming the old thumbprint, or a backend
// or policy presenting it when the new material has no private key.
func checkReplacement(ctx context.Context, tx store.Reader, old *store.Record, thumbprint string, hasKey bool) error {
	var o model.Certificate
	if err := DecodeStored(old, &o); err != nil {
		return err
	}
	u, err := certificateUse(ctx, tx, old.ID, o.Thumbprint)
	if err != nil {
		return err
	}
	if !strings.EqualFold(thumbprint, o.Thumbprint) && u.backendByThumbprint != "" {
		return Conflict("properties.data", "The certificate '"+old.ID+"' is used by backend '"+u.backendByThumbprint+
			"' by its thumbprint "+o.Thumbprint+"; the new certificate has another.")
	}
	if !strings.EqualFold(thumbprint, o.Thumbprint) && u.policyByThumbprint != "" {
		return Conflict("properties.data", "The certificate '"+old.ID+"' is used by "+u.policyByThumbprint+
			" by its thumbprint "+o.Thumbprint+"; the new certificate has another.")
	}
	if !hasKey && (u.backend != "" || u.backendByThumbprint != "" || u.policyByID != "") {
		user := "backend '" + u.backend + u.backendByThumbprint + "'"
		if u.backend == "" && u.backendByThumbprint == "" {
			user = u.policyByID
		}
		return Conflict("properties.data", "The certificate '"+old.ID+"' is a client certificate of "+user+"; the new material needs a private key.")
	}
	return nil
}

// checkGatewayCertificateAuthority requires the certificate to exist and
// keeps its id's case.
func checkGatewayCertificateAuthority(ctx context.Context, tx store.Tx, rec *store.Record, _ model.Properties, old *store.Record, _ checkEnv) error {
	cert, err := Lookup(ctx, tx, model.KindCertificate, "", rec.ID)
	if err != nil {
		return err
	}
	if cert == nil {
		return NotFound("Certificate '" + rec.ID + "'")
	}
	if old == nil {
		rec.ID = cert.ID
	}
	return nil
}

// checkBackendCertificates requires a backend's certificateIds, and the
// thumbprints of its credentials.certificate, to be existing certificates
// with a private key.
func checkBackendCertificates(ctx context.Context, tx store.Tx, b *model.Backend) error {
	if b.Credentials == nil {
		return nil
	}
	if len(b.Credentials.Certificate) > 0 {
		byThumbprint, err := certificatesByThumbprint(ctx, tx)
		if err != nil {
			return err
		}
		for _, tp := range b.Credentials.Certificate {
			cert := byThumbprint[strings.ToUpper(tp)]
			if cert == nil {
				return Invalid("properties.credentials.certificate", "There is no certificate with thumbprint '"+tp+"'.")
			}
			if !strings.Contains(string(cert.Secret), "PRIVATE KEY") {
				return Invalid("properties.credentials.certificate", "The certificate '"+cert.ID+"' (thumbprint "+tp+") has no private key: a client certificate needs one.")
			}
		}
	}
	for _, id := range b.Credentials.CertificateIDs {
		cert, err := Lookup(ctx, tx, model.KindCertificate, "", id)
		if err != nil {
			return err
		}
		if cert == nil {
			return Invalid("properties.credentials.certificateIds", "There is no certificate '"+id+"'.")
		}
		if !strings.Contains(string(cert.Secret), "PRIVATE KEY") {
			return Invalid("properties.credentials.certificateIds", "The certificate '"+id+"' has no private key: a client certificate needs one.")
		}
	}
	return nil
}

// policyCertificates returns the certificates policies may name, without
// their material: compiling to check a document needs only their ids,
// thumbprints and whether they have a private key.
func policyCertificates(ctx context.Context, r store.Reader) (map[string]*policy.Certificate, error) {
	recs, err := r.List(ctx, store.Query{Kind: model.KindCertificate})
	if err != nil {
		return nil, err
	}
	out := make(map[string]*policy.Certificate, len(recs))
	for _, rec := range recs {
		var c model.Certificate
		if err := DecodeStored(rec, &c); err != nil {
			return nil, err
		}
		out[strings.ToLower(rec.ID)] = &policy.Certificate{ID: rec.ID, Thumbprint: c.Thumbprint,
			HasKey: strings.Contains(string(rec.Secret), "PRIVATE KEY")}
	}
	return out, nil
}

// certificatesByThumbprint returns the stored certificates by upper-case
// thumbprint.
func certificatesByThumbprint(ctx context.Context, r store.Reader) (map[string]*store.Record, error) {
	recs, err := r.List(ctx, store.Query{Kind: model.KindCertificate})
	if err != nil {
		return nil, err
	}
	out := make(map[string]*store.Record, len(recs))
	for _, rec := range recs {
		var c model.Certificate
		if err := DecodeStored(rec, &c); err != nil {
			return nil, err
		}
		out[strings.ToUpper(c.Thumbprint)] = rec
	}
	return out, nil
}
