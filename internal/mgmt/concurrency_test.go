package mgmt

import (
	"fmt"
	"strconv"
	"sync"
	"testing"
)

// TestConcurrentWritersLoseNoUpdate has 50 writers increment one counter
// (a named value) by read, then If-Match write, retrying on 412: every
// increment lands.
func TestConcurrentWritersLoseNoUpdate(t *testing.T) {
	a := newTestAPI(t)
	a.must("PUT", "/namedValues/counter", `{"properties":{"displayName":"counter","value":"0"}}`)
	const writers, each = 50, 4
	var wg sync.WaitGroup
	for range writers {
		wg.Go(func() {
			for done := 0; done < each; {
				r := a.do("GET", "/namedValues/counter", "")
				n, _ := strconv.Atoi(r.body["properties"].(map[string]any)["value"].(string))
				w := a.do("PUT", "/namedValues/counter", fmt.Sprintf(`{"properties":{"displayName":"counter","value":"%d"}}`, n+1),
					"If-Match: "+r.header.Get("ETag"))
				switch w.status {
				case 200:
					done++
				case 412:
				default:
					t.Errorf("write: %d %s", w.status, w.raw)
					return
				}
			}
		})
	}
	wg.Wait()
	v := a.must("GET", "/namedValues/counter", "").body["properties"].(map[string]any)["value"]
	if v != strconv.Itoa(writers*each) {
		t.Errorf("counter %v after %d increments: updates were lost", v, writers*each)
	}
}
