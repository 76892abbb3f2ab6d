package dotnet

import (
	"crypto/sha256"
	"fmt"
	"maps"
	"net/http"
	"net/netip"
	"net/url"
	"regexp"
	"sort"
	"testing"
	"time"

	"github.com/gatehouse/gatehouse/internal/expr"
)

// sampleValues holds one run-time value of each type with members.
func sampleValues() map[string]any {
	c := newTestContext()
	doc, _ := parseXML("<a x=\"1\"><b>t</b></a>")
	re := regexp.MustCompile(`(?P<n>a)(b)?`)
	m := newMatch(re, "ab", re.FindStringSubmatchIndex("ab"))
	j, _ := parseJwt(testJWT(jwtPayload))
	s := map[string]any{
		"IContext": c, "IRequest": c.Request, "IResponse": c.Response, "IUrl": c.Request.URL,
		"IHeaders": c.Request.Headers, "IQuery": c.Request.URL.Query, "IParameters": map[string]string{"a": "b"}, "Dictionary": &dictVal{keys: []any{"a"}, vals: map[string]any{"a": 1}},
		"HashSet": &hashSet{items: []any{"a"}, keys: map[string]bool{"a": true}}, "Queue": &seqColl{items: []any{"a"}}, "IPAddress": &ipAddress{a: netip.MustParseAddr("10.0.0.1")}, "Stack": &seqColl{stack: true, items: []any{"a"}},
		"IVariables": c.Variables, "IMessageBody": expr.BodyOf([]byte(`{"a":1}`)), "ISubscription": c.Subscription,
		"IUser": c.User, "IGroup": expr.Group{ID: "g"}, "IProduct": c.Product, "IApi": c.API, "IOperation": c.Operation,
		"IDeployment": c.Deployment, "IDeploymentGateway": &expr.DeploymentGateway{ID: "g"}, "ILastError": c.LastError, "string": "abc,def", "DateTime": testNow,
		"TimeSpan": time.Minute, "JObject": mustJSON(`{"a":1,"b":[1]}`), "JArray": mustJSON(`[1,"x"]`),
		"JValue": &JValue{v: "s"}, "JProperty": &JProperty{Name: "p", Value: &JValue{v: int64(1)}},
		"Jwt": j, "IClaims": claims(j.claims), "BasicAuthCredentials": &BasicAuthCredentials{UserID: "u"},
		"Uri": &Uri{u: &url.URL{Scheme: "https", Host: "h", Path: "/p"}}, "XElement": doc.root(), "XDocument": doc,
		"XAttribute": &XAttribute{Name: "n", Value: "v"}, "XNamespace": XNamespace{URI: "u"}, "XName": XName{Local: "n"}, "Match": m, "Group": m.groups[1], "GroupCollection": reGroups{m: m}, "Capture": m.groups[1], "CaptureCollection": capturesOf(m.groups[1]), "RSA": &rsaVal{bits: 512}, "HashAlgorithmName": hashName{"SHA256"}, "TimeZoneInfo": utcZone, "X509Certificate2": sampleCertificate(), "X500DistinguishedName": distinguishedName{"CN=a"}, "RNGCryptoServiceProvider": rngVal{},
		"Regex": &regexVal{re: re}, "Encoding": encodingVal{"UTF8"}, "HashAlgorithm": &hashAlg{h: sha256.New},
		"Exception": &expr.Exception{Message: "m"}, "KeyValuePair": expr.KeyValuePair{Key: "k", Value: "v"}, "Random": randomVal{},
		"StringBuilder": &strBuilder{}, "array": []any{1, "a", nil}, "string[]": []string{"a", "b"}, "byte[]": []byte{1, 2},
		"List": &expr.List{Items: []any{"a"}}, "Guid": expr.Guid{1}, "ISubscriptionKeyParameterNames": &c.API.SubscriptionKeyParameterNames,
		"JTokenType": expr.Enum{Type: "JTokenType", Name: "Object"}, "char": 'a', "object": 1, "bool": true, "byte": byte(1), "double": 1.5, "int": 1, "long": int64(1),
		"http.Header": http.Header{},
	}
	for name := range hashTypes { // variables declared as a hash class hold a HashAlgorithm
		s[name] = s["HashAlgorithm"]
	}
	return s
}

// constLambda is a lambda that returns true, as an argument of any type.
type constLambda struct{}

func (constLambda) Call(...any) (any, error) { return true, nil }

// discard is an out argument that drops what it is given.
type discard struct{}

func (discard) Set(any) {}

// argSets are argument lists of assorted types for calling every member.
func argSets() [][]any {
	l := constLambda{}
	vals := []any{nil, "a", 1, int64(2), 2.5, true, 'c', []byte{1}, []string{"x"}, []any{"y"}, l, discard{},
		expr.Enum{Type: "StringComparison", Name: "OrdinalIgnoreCase", Value: 5}, testNow, time.Second, &JValue{v: "j"}, mustJSON(`{"k":1}`), -1}
	sets := [][]any{{}}
	for _, a := range vals {
		sets = append(sets, []any{a})
		for _, b := range vals {
			sets = append(sets, []any{a, b}, []any{a, b, b}, []any{"s", a, b, 1})
		}
	}
	return sets
}

// TestMembersNeverPanic calls every member of every type (with the members
// of object), every static member and every constructor of the library,
// with arguments of assorted types: each returns a value or an error.
func TestMembersNeverPanic(t *testing.T) {
	samples := sampleValues()
	ctx := newTestContext()
	var e *expr.Env
	sets := argSets()
	try := func(name string, f func() (any, error)) {
		defer func() {
			if r := recover(); r != nil {
				t.Errorf("%s panicked: %v", name, r)
			}
		}()
		e = expr.NewEnv(ctx)
		_, _ = f()
	}
	var names []string
	for _, tn := range testLib.TypeNames() {
		if testLib.Members(tn) != nil {
			names = append(names, tn)
		}
	}
	sort.Strings(names)
	for _, tn := range names {
		v, ok := samples[tn]
		if !ok {
			t.Errorf("no sample value for type %s", tn)
			continue
		}
		members := merge(maps.Clone(testLib.Members(tn)), testLib.Members("object"))
		for mn, m := range members {
			if m.Get != nil {
				try(fmt.Sprintf("%s.%s", tn, mn), func() (any, error) { return m.Get(v) })
			}
			if m.Call == nil {
				continue
			}
			for _, a := range sets {
				if len(a) < m.Min || m.Max >= 0 && len(a) > m.Max {
					continue
				}
				try(fmt.Sprintf("%s.%s%v", tn, mn, a), func() (any, error) {
					return m.Call(e, v, append([]any(nil), a...), []*expr.Type{tyString})
				})
			}
		}
	}
	for _, tn := range testLib.TypeNames() {
		for mn, m := range testLib.Statics(tn) {
			if m.Get != nil {
				try(tn+"."+mn, func() (any, error) { return m.Get(ctx) })
			}
			if m.Call == nil {
				continue
			}
			for _, a := range sets {
				if len(a) < m.Min || m.Max >= 0 && len(a) > m.Max {
					continue
				}
				try(fmt.Sprintf("static %s.%s%v", tn, mn, a), func() (any, error) {
					return m.Call(e, nil, append([]any(nil), a...), []*expr.Type{tyInt})
				})
			}
		}
	}
	for _, tn := range testLib.TypeNames() {
		k := testLib.Constructor(tn)
		if k == nil {
			continue
		}
		for _, a := range sets {
			if len(a) < k.Min || k.Max >= 0 && len(a) > k.Max {
				continue
			}
			try(fmt.Sprintf("new %s%v", tn, a), func() (any, error) { return k.Make(append([]any(nil), a...)) })
		}
	}
}
