package route

import "testing"

func TestSOAPAction(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, template, want string
		wantOK               bool
	}{
		{name: "action", template: "/?soapAction=http://example.com/GetOrder", want: "http://example.com/GetOrder", wantOK: true},
		{name: "escaped", template: "/?a=1&soapAction=urn%3AGet", want: "urn:Get", wantOK: true},
		{name: "empty", template: "/?soapAction=", wantOK: true},
		{name: "plus kept", template: "/?soapAction=urn:a+b%26c", want: "urn:a+b&c", wantOK: true},
		{name: "none", template: "/orders?id={id}"},
		{name: "no query", template: "/"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if got, ok := SOAPAction(tt.template); got != tt.want || ok != tt.wantOK {
				t.Errorf("SOAPAction(%q) = %q, %v; want %q, %v", tt.template, got, ok, tt.want, tt.wantOK)
			}
		})
	}
}

func TestRequestSOAPAction(t *testing.T) {
	t.Parallel()
	tests := []struct{ name, header, contentType, want string }{
		{"soap 1.1 quoted", `"urn:Get"`, "text/xml; charset=utf-8", "urn:Get"},
		{"soap 1.1 bare", "urn:Get", "", "urn:Get"},
		{"soap 1.2", "", `application/soap+xml; charset=utf-8; action="urn:Get"`, "urn:Get"},
		{"none", "", "text/xml", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if got := RequestSOAPAction(tt.header, tt.contentType); got != tt.want {
				t.Errorf("RequestSOAPAction(%q, %q) = %q; want %q", tt.header, tt.contentType, got, tt.want)
			}
		})
	}
}
