package mgmt

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"testing"

	"github.com/gatehouse/gatehouse/internal/model"
	"github.com/gatehouse/gatehouse/internal/store"
)

// BenchmarkListSubscriptionsPage reads one page of 100 from the middle
// of 100,000 subscriptions, as a console or a script paging through them
// does.
func BenchmarkListSubscriptionsPage(b *testing.B) {
	a := newTestAPI(b)
	const n = 100_000
	_, err := a.store.Update(context.Background(), func(tx store.Tx) error {
		for i := range n {
			props, _ := json.Marshal(&model.Subscription{DisplayName: fmt.Sprintf("Subscription %d", i), Scope: "/apis", State: "active"})
			keys, _ := json.Marshal(&model.SubscriptionKeys{PrimaryKey: fmt.Sprintf("primary-%032d", i), SecondaryKey: fmt.Sprintf("secondary-%032d", i)})
			if _, err := tx.Put(context.Background(), &store.Record{Kind: model.KindSubscription, ID: fmt.Sprintf("sub-%06d", i), Props: props, Secret: keys}); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		b.Fatal(err)
	}
	req, _ := http.NewRequest("GET", a.url+"/subscriptions?$top=100&$skip=50000", nil)
	req.Header.Set("Authorization", "Bearer admin-token")
	for b.Loop() {
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			b.Fatal(err)
		}
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		if resp.StatusCode != 200 {
			b.Fatalf("status %d", resp.StatusCode)
		}
	}
}
