package builtin

import (
	"strconv"
	"strings"

	"github.com/gatehouse/gatehouse/internal/policy"
)

// EventLog takes log-to-eventhub's messages and delivers them to their
// loggers off the request path. Log must never block: when its queue is
// full it drops the message and counts the drop. Implementations are
// safe for concurrent use.
type EventLog interface {
	Log(e Event)
}

// An Event is one message of log-to-eventhub.
type Event struct {
	Logger       string // the lower-case logger id
	PartitionID  string // "": none
	PartitionKey string // "": none
	Message      string // at most MaxEventBytes, as APIM truncates
}

// MaxEventBytes is the longest message log-to-eventhub sends; APIM's
// reference: "The maximum supported message size that can be sent to an
// event hub from this API Management policy is 200 kilobytes (KB). A
// message that is larger than 200 KB will be automatically truncated to
// 200 KB before transfer to an event hub."
const MaxEventBytes = 200 << 10

// eventLoggerTypes are the logger types log-to-eventhub sends to.
var eventLoggerTypes = map[string]bool{"azureEventHub": true, "http": true, "stdout": true, "file": true}

// logToEventHub implements <log-to-eventhub logger-id="..."
// partition-id="..." partition-key="...">message</log-to-eventhub>:
// the message (usually an expression) is evaluated on the request path
// and handed to the gateway's EventLog, which queues it without waiting
// and sends it, in batches, to the logger: an azureEventHub logger's
// event hub, an http logger's URL, or a stdout or file logger's lines.
// As in APIM's reference, logger-id and partition-id are literals
// ("Policy expressions aren't allowed"), partition-key may be an
// expression, and partition-id and partition-key exclude each other
// ("Do not use if partition-key is used"). It may be used in every
// section.
type logToEventHub struct {
	logger       string
	partitionID  string
	partitionKey policy.Value
	message      policy.Value
	log          EventLog
}

var _ policy.Step = (*logToEventHub)(nil)

func compileLogToEventHub(log EventLog) policy.CompileFunc {
	return func(n *policy.Node, c *policy.Compiler) policy.Step {
		c.Only(n, "logger-id", "partition-id", "partition-key")
		id, a, ok := c.Literal(n, "logger-id", true)
		if !ok {
			return nil
		}
		id = strings.ToLower(strings.TrimSpace(id))
		c.Refer(n, a.Pos, "loggers", id)
		if known := c.Env().Loggers; known != nil {
			typ, ok := known[id]
			switch {
			case !ok:
				c.AttrErrorf(n, a, "there is no logger %q", id)
				return nil
			case !eventLoggerTypes[typ]:
				c.AttrErrorf(n, a, "logger %q is of type %s, which log-to-eventhub cannot send to: want azureEventHub, http, stdout or file", id, typ)
				return nil
			}
		}
		e := &logToEventHub{logger: id, log: log}
		if pid, pa, ok := c.Literal(n, "partition-id", false); ok {
			if v, err := strconv.Atoi(strings.TrimSpace(pid)); err != nil || v < 0 || v > 1023 {
				c.AttrErrorf(n, pa, "%q: want a partition index, a whole number from 0", pid)
			}
			e.partitionID = strings.TrimSpace(pid)
		}
		e.partitionKey, _ = c.Attr(n, "partition-key", false)
		if e.partitionID != "" && e.partitionKey.IsSet() {
			c.Errorf(n, "give partition-id or partition-key, not both")
		}
		if len(n.Children) > 0 {
			c.Errorf(n, "the message is the element's text (an expression returning a string); it has no child elements")
		}
		e.message = c.Text(n)
		return e
	}
}

func (e *logToEventHub) Do(c *policy.Context) error {
	msg, err := e.message.String(c)
	if err != nil {
		return err
	}
	ev := Event{Logger: e.logger, PartitionID: e.partitionID, Message: truncateUTF8(msg, MaxEventBytes)}
	if e.partitionKey.IsSet() {
		if ev.PartitionKey, err = e.partitionKey.String(c); err != nil {
			return err
		}
	}
	if e.log != nil {
		e.log.Log(ev)
	}
	return nil
}

// truncateUTF8 returns s cut to at most n bytes, at a character boundary.
func truncateUTF8(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && n < len(s) && s[n]&0xC0 == 0x80 {
		n--
	}
	return s[:n]
}
