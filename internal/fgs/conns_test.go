package fgs_test

import (
	"context"
	"math/rand/v2"
	"sync"
	"testing"
	"time"

	"github.com/fgs-tools/terraform-provider-huaweicloud/internal/fgs"
	"github.com/fgs-tools/terraform-provider-huaweicloud/internal/fgsemu"
)

// However the calls interleave, the client never holds more connections
// than it has calls in flight: Terraform's -parallelism is the bound.
func TestClientConnectionsNeverExceedConcurrentCalls(t *testing.T) {
	t.Parallel()
	const workers, perWorker = 50, 12
	emu := startEmulator(t)
	ids, err := emu.InvokeN(testURN.String(), workers*perWorker)
	if err != nil {
		t.Fatal(err)
	}
	inject(t, emu,
		fgsemu.Fault{Op: fgsemu.OpCancel, Probability: 0.1, Status: 503},
		fgsemu.Fault{Op: fgsemu.OpList, Probability: 0.1, Status: 503})
	c := newClient(t, emu.URL(), 10)
	var wg sync.WaitGroup
	errs := make(chan error, len(ids))
	for w := range workers {
		wg.Go(func() {
			for _, id := range ids[w*perWorker : (w+1)*perWorker] {
				// Terraform starts operations in bursts with gaps between them.
				time.Sleep(time.Duration(rand.IntN(3000)) * time.Microsecond)
				if _, err := c.Cancel(context.Background(), fgs.CancelRequest{URN: testURN, RequestID: id}); err != nil {
					errs <- err
					return
				}
				if _, _, err := c.GetInvocation(context.Background(), testURN, id); err != nil {
					errs <- err
					return
				}
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	s := emu.Stats()
	if s.AcceptedCancels != workers*perWorker || s.FaultsApplied == 0 {
		t.Fatalf("emulator: %+v", s)
	}
	if s.Connections > workers || s.MaxOpenConnections > workers {
		t.Fatalf("%d connections (%d open at once) for %d concurrent calls", s.Connections, s.MaxOpenConnections, workers)
	}
	t.Logf("%d connections for %d concurrent calls, %d faults retried", s.Connections, workers, s.FaultsApplied)
}
