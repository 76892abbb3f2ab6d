package gateway

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/gatehouse/gatehouse/internal/model"
	"github.com/gatehouse/gatehouse/internal/snapshot"
)

// eventHub sends messages to an Azure event hub with the Event Hubs
// HTTPS REST API (api-version 2014-01), authenticated by a shared access
// signature it computes from the connection string's key.
type eventHub struct {
	conn     model.EventHubConnection
	resource string // the event hub's URI, https://host/hub
	client   *http.Client
	now      func() time.Time
}

// sasLifetime is how long a shared access signature is valid.
const sasLifetime = time.Hour

func newEventHub(l snapshot.Logger, client *http.Client) (*eventHub, error) {
	c, err := model.ParseEventHubConnection(l.ConnectionString, l.EventHub)
	if err != nil {
		return nil, fmt.Errorf("connection string: %w", err)
	}
	if c.EventHub == "" {
		return nil, fmt.Errorf("the connection string has no EntityPath and the logger no name: which event hub?")
	}
	return &eventHub{conn: c, resource: c.Endpoint + "/" + url.PathEscape(c.EventHub), client: client, now: time.Now}, nil
}

// sas returns a SharedAccessSignature token for h's event hub, valid
// for sasLifetime: sr is the URL-encoded resource URI, sig the base64
// HMAC-SHA256, keyed with the shared access key, of sr, a newline and
// the expiry (se, Unix seconds), and skn the key's name.
func (h *eventHub) sas() string {
	sr := url.QueryEscape(strings.ToLower(h.resource))
	se := strconv.FormatInt(h.now().Add(sasLifetime).Unix(), 10)
	mac := hmac.New(sha256.New, []byte(h.conn.Key))
	mac.Write([]byte(sr + "\n" + se))
	sig := base64.StdEncoding.EncodeToString(mac.Sum(nil))
	return "SharedAccessSignature sr=" + sr + "&sig=" + url.QueryEscape(sig) + "&se=" + se + "&skn=" + url.QueryEscape(h.conn.KeyName)
}

// hubMessage is one message of a batch ("send batch events").
type hubMessage struct {
	Body             string            `json:"Body"`
	BrokerProperties map[string]string `json:"BrokerProperties,omitempty"`
}

// send delivers batch: a message with a partition-id to that partition
// ("send partition event"); the others together ("send batch events",
// each message's partition key in its BrokerProperties), or, when there
// is one, on its own ("send event", the partition key in the
// BrokerProperties header).
func (h *eventHub) send(ctx context.Context, batch []queuedEvent) error {
	var rest []queuedEvent
	for _, e := range batch {
		if e.PartitionID == "" {
			rest = append(rest, e)
			continue
		}
		u := h.resource + "/partitions/" + url.PathEscape(e.PartitionID) + "/messages"
		if err := h.post(ctx, u, "application/atom+xml;type=entry;charset=utf-8", []byte(e.Message), ""); err != nil {
			return err
		}
	}
	switch len(rest) {
	case 0:
		return nil
	case 1:
		props := ""
		if k := rest[0].PartitionKey; k != "" {
			b, _ := json.Marshal(map[string]string{"PartitionKey": k})
			props = string(b)
		}
		return h.post(ctx, h.resource+"/messages", "application/atom+xml;type=entry;charset=utf-8", []byte(rest[0].Message), props)
	}
	msgs := make([]hubMessage, len(rest))
	for i, e := range rest {
		msgs[i].Body = e.Message
		if e.PartitionKey != "" {
			msgs[i].BrokerProperties = map[string]string{"PartitionKey": e.PartitionKey}
		}
	}
	body, err := json.Marshal(msgs)
	if err != nil {
		return err
	}
	return h.post(ctx, h.resource+"/messages", "application/vnd.microsoft.servicebus.json", body, "")
}

func (h *eventHub) post(ctx context.Context, u, contentType string, body []byte, brokerProperties string) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, u+"?timeout=60&api-version=2014-01", bytes.NewReader(body))
	if err != nil {
		return err
	}
	req.Header.Set("Authorization", h.sas())
	req.Header.Set("Content-Type", contentType)
	if brokerProperties != "" {
		req.Header.Set("BrokerProperties", brokerProperties)
	}
	return postBatch(h.client, req)
}
