package builtin

import (
	"crypto/x509/pkix"
	"encoding/asn1"
	"errors"
	"fmt"
	"strconv"
	"strings"
)

// maxNameAttributes bounds the attributes of a distinguished name written
// in a policy.
const maxNameAttributes = 64

// nameTypes maps the attribute names that Windows' CertStrToName and
// RFC 4514 write (upper case) to their object identifiers.
var nameTypes = map[string]asn1.ObjectIdentifier{
	"CN": {2, 5, 4, 3}, "SN": {2, 5, 4, 4}, "SURNAME": {2, 5, 4, 4}, "SERIALNUMBER": {2, 5, 4, 5},
	"C": {2, 5, 4, 6}, "L": {2, 5, 4, 7}, "S": {2, 5, 4, 8}, "ST": {2, 5, 4, 8}, "STREET": {2, 5, 4, 9},
	"O": {2, 5, 4, 10}, "OU": {2, 5, 4, 11}, "T": {2, 5, 4, 12}, "TITLE": {2, 5, 4, 12},
	"POSTALCODE": {2, 5, 4, 17}, "G": {2, 5, 4, 42}, "GN": {2, 5, 4, 42}, "GIVENNAME": {2, 5, 4, 42},
	"I": {2, 5, 4, 43}, "INITIALS": {2, 5, 4, 43},
	"DC": {0, 9, 2342, 19200300, 100, 1, 25}, "UID": {0, 9, 2342, 19200300, 100, 1, 1},
	"E": {1, 2, 840, 113549, 1, 9, 1}, "EMAIL": {1, 2, 840, 113549, 1, 9, 1}, "EMAILADDRESS": {1, 2, 840, 113549, 1, 9, 1},
}

// parseDistinguishedName parses a distinguished name as APIM's subject
// and issuer-subject take it: attributes such as "CN=name" separated by
// commas (or semicolons, or + within one RDN), in any order, a value in
// double quotes when it holds a separator (O="Contoso, Inc.", "" for a
// quote inside), or with RFC 4514's backslash escapes. A type is one of
// nameTypes or a dotted object identifier (optionally "OID."-prefixed).
// Values are returned with surrounding spaces removed.
func parseDistinguishedName(s string) ([]pkix.AttributeTypeAndValue, error) {
	var out []pkix.AttributeTypeAndValue
	i := 0
	for {
		for i < len(s) && s[i] == ' ' {
			i++
		}
		if i == len(s) {
			if len(out) == 0 {
				return nil, errors.New("empty distinguished name")
			}
			return nil, errors.New("distinguished name ends with a separator")
		}
		eq := strings.IndexByte(s[i:], '=')
		if eq < 0 {
			return nil, fmt.Errorf("%q has no '=' (want TYPE=value)", s[i:])
		}
		oid, err := nameType(strings.TrimSpace(s[i : i+eq]))
		if err != nil {
			return nil, err
		}
		i += eq + 1
		var v string
		if v, i, err = nameValue(s, i); err != nil {
			return nil, err
		}
		if v = strings.TrimSpace(v); v == "" {
			return nil, fmt.Errorf("attribute %s has an empty value", oid)
		}
		if len(out) == maxNameAttributes {
			return nil, fmt.Errorf("more than %d attributes", maxNameAttributes)
		}
		out = append(out, pkix.AttributeTypeAndValue{Type: oid, Value: v})
		if i == len(s) {
			return out, nil
		}
		i++ // the separator nameValue stopped at
	}
}

// nameType returns the object identifier of an attribute type.
func nameType(t string) (asn1.ObjectIdentifier, error) {
	if oid, ok := nameTypes[strings.ToUpper(t)]; ok {
		return oid, nil
	}
	dotted := t
	if len(t) > 4 && strings.EqualFold(t[:4], "OID.") {
		dotted = t[4:]
	}
	parts := strings.Split(dotted, ".")
	if len(parts) < 2 {
		return nil, fmt.Errorf("unknown attribute type %q (want CN, O, OU, C, L, S, ST, STREET, E, DC, T, G, SN, SERIALNUMBER, UID or a dotted OID)", t)
	}
	oid := make(asn1.ObjectIdentifier, len(parts))
	for k, p := range parts {
		n, err := strconv.Atoi(p)
		if err != nil || n < 0 || p == "" || (len(p) > 1 && p[0] == '0') {
			return nil, fmt.Errorf("unknown attribute type %q (want CN, O, OU, C, L, S, ST, STREET, E, DC, T, G, SN, SERIALNUMBER, UID or a dotted OID)", t)
		}
		oid[k] = n
	}
	return oid, nil
}

// nameValue reads the value starting at s[i], up to an unquoted ',', ';'
// or '+' or the end, and returns it and the offset of that separator (or
// len(s)).
func nameValue(s string, i int) (string, int, error) {
	for i < len(s) && s[i] == ' ' {
		i++
	}
	var b strings.Builder
	if i < len(s) && s[i] == '"' {
		i++
		for {
			if i == len(s) {
				return "", i, errors.New("a quoted value has no closing quote")
			}
			c := s[i]
			switch {
			case c == '"' && i+1 < len(s) && s[i+1] == '"': // "" is a quote
				b.WriteByte('"')
				i += 2
				continue
			case c == '\\' && i+1 < len(s):
				b.WriteByte(s[i+1])
				i += 2
				continue
			case c == '"':
				i++
				for i < len(s) && s[i] == ' ' {
					i++
				}
				if i < len(s) && !isNameSeparator(s[i]) {
					return "", i, fmt.Errorf("unexpected %q after a quoted value", s[i])
				}
				return b.String(), i, nil
			}
			b.WriteByte(c)
			i++
		}
	}
	for i < len(s) && !isNameSeparator(s[i]) {
		c := s[i]
		if c == '\\' {
			if i+1 == len(s) {
				return "", i, errors.New("a value ends with a lone backslash")
			}
			if h, ok := hexPair(s, i+1); ok {
				b.WriteByte(h)
				i += 3
				continue
			}
			b.WriteByte(s[i+1])
			i += 2
			continue
		}
		if c == '"' {
			return "", i, errors.New("a quote inside an unquoted value (quote the whole value)")
		}
		b.WriteByte(c)
		i++
	}
	return strings.TrimRight(b.String(), " "), i, nil
}

func isNameSeparator(c byte) bool { return c == ',' || c == ';' || c == '+' }

// hexPair decodes the two hex digits at s[i:i+2] (RFC 4514's \XX).
func hexPair(s string, i int) (byte, bool) {
	if i+2 > len(s) {
		return 0, false
	}
	v, err := strconv.ParseUint(s[i:i+2], 16, 8)
	return byte(v), err == nil
}

// namesMatch reports whether a certificate's name, its attributes got
// holds exactly the attributes of want, whatever their order: the same
// types with values equal but for case.
func namesMatch(want []pkix.AttributeTypeAndValue, got []pkix.AttributeTypeAndValue) bool {
	if len(want) != len(got) || len(got) > maxNameAttributes {
		return false
	}
	var used [maxNameAttributes]bool
	for _, w := range want {
		found := false
		for k, g := range got {
			if used[k] || !g.Type.Equal(w.Type) {
				continue
			}
			gv, ok := g.Value.(string)
			if ok && strings.EqualFold(strings.TrimSpace(gv), w.Value.(string)) {
				used[k], found = true, true
				break
			}
		}
		if !found {
			return false
		}
	}
	return true
}
