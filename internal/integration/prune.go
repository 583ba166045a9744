package integration

import (
	"context"
	"time"
)

// The delivery log would otherwise grow with every credit a subscribed integrator hears of
// (an event and a delivery each). A replica's dispatcher deletes, at most once an hour, the
// deliveries that succeeded or failed more than integration.delivery_retention ago, then the
// events no delivery refers to any more; a delivery still retrying, or waiting for its webhook
// to be enabled again, keeps its event. Redelivering a deleted delivery is 404.
const (
	pruneEvery = time.Hour
	pruneBatch = 1000
	// pruneBatches bounds one run (100,000 rows of each table), so that a log that was never
	// pruned (an upgrade) is worked off over a few hours instead of holding up one tick's sends.
	pruneBatches = 100
)

// pruneIfDue prunes the delivery log when this replica has not for pruneEvery.
func (d *Dispatcher) pruneIfDue(ctx context.Context) error {
	keep := d.svc.Settings.DeliveryRetention
	if keep <= 0 {
		return nil
	}
	now := d.svc.Now()
	last := d.prunedAt.Load()
	if last != 0 && now.Sub(time.Unix(0, last)) < pruneEvery {
		return nil
	}
	if !d.prunedAt.CompareAndSwap(last, now.UnixNano()) {
		return nil // another call on this replica is at it
	}
	return d.prune(ctx, now.Add(-keep))
}

// prune deletes, a batch a statement and at most pruneBatches batches of each, the deliveries
// finished before cutoff and then the events fanned out before it that no delivery refers to.
func (d *Dispatcher) prune(ctx context.Context, cutoff time.Time) error {
	for _, del := range []func(context.Context, time.Time, int) (int, error){d.svc.Store.DeleteFinishedDeliveries, d.svc.Store.DeleteSpentEvents} {
		for range pruneBatches {
			n, err := del(ctx, cutoff, pruneBatch)
			if err != nil {
				return err
			}
			if n < pruneBatch {
				break
			}
		}
	}
	return nil
}
