package webhook

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"net/http"
	"sync"
	"time"

	"github.com/baas-oss/baas"
	"github.com/baas-oss/baas/core"
	"github.com/prometheus/client_golang/prometheus"
)

// DefaultSchedule is the wait before each retry of a failed attempt: 13 retries after the
// first attempt, 14 attempts in all, the last about 72 hours after the first. Each wait
// is varied by ±Jitter so that a receiver coming back is not hit by every retry at once.
var DefaultSchedule = []time.Duration{
	10 * time.Second, 30 * time.Second, time.Minute, 5 * time.Minute, 15 * time.Minute, 30 * time.Minute,
	time.Hour, 2 * time.Hour, 4 * time.Hour, 8 * time.Hour, 12 * time.Hour, 20 * time.Hour, 24 * time.Hour,
}

// Config tunes a Dispatcher. Zero fields take the defaults.
type Config struct {
	Workers      int                   // deliveries in flight at once (8)
	PollInterval time.Duration         // longest sleep between looks at the outbox (500ms)
	Timeout      time.Duration         // per attempt, the whole HTTP exchange (10s)
	Lease        time.Duration         // a claimed delivery is retried after this if its result is never recorded (Timeout + 30s)
	Schedule     []time.Duration       // waits before retries (DefaultSchedule); after the last, the delivery fails
	Jitter       float64               // each wait is varied by up to this fraction either way (0.2); negative for none
	Client       *http.Client          // NewClient(Timeout)
	Metrics      prometheus.Registerer // where attempt metrics are registered (none when nil)
	// Render returns the payload receivers get for an event (the envelope's data, or the
	// whole body of a payload-format endpoint), or nil for the event's own payload: the
	// dialects render the core's neutral payloads in their shapes. Wired in cmd/baas.
	Render func(e *baas.Event) ([]byte, error)
}

func (c Config) withDefaults() Config {
	if c.Workers <= 0 {
		c.Workers = 8
	}
	if c.PollInterval <= 0 {
		c.PollInterval = 500 * time.Millisecond
	}
	if c.Timeout <= 0 {
		c.Timeout = 10 * time.Second
	}
	if c.Lease <= 0 {
		c.Lease = c.Timeout + 30*time.Second
	}
	if c.Schedule == nil {
		c.Schedule = DefaultSchedule
	}
	if c.Jitter == 0 {
		c.Jitter = 0.2
	}
	if c.Jitter < 0 {
		c.Jitter = 0
	}
	if c.Client == nil {
		c.Client = NewClient(c.Timeout)
	}
	return c
}

// Validate reports the first invalid setting.
func (c Config) Validate() error {
	c = c.withDefaults()
	switch {
	case c.Lease <= c.Timeout:
		return errors.New("webhook lease must be longer than the attempt timeout")
	case c.Jitter >= 1:
		return errors.New("webhook jitter must be below 1")
	}
	for _, d := range c.Schedule {
		if d <= 0 {
			return errors.New("webhook retry waits must be positive")
		}
	}
	return nil
}

// Dispatcher delivers the outbox. Several dispatchers, in one process or in server
// replicas sharing a database, may run at once: each delivery is leased to one.
type Dispatcher struct {
	core    Outbox
	cfg     Config
	log     *slog.Logger
	metrics *metrics
}

// NewDispatcher returns a dispatcher of the outbox svc (the core).
func NewDispatcher(svc Outbox, cfg Config, log *slog.Logger) (*Dispatcher, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return &Dispatcher{core: svc, cfg: cfg.withDefaults(), log: log, metrics: newMetrics(cfg.Metrics, svc.DeliveryBacklog, svc.Now)}, nil
}

// Run delivers until ctx ends, then waits for the deliveries in flight: each finishes
// within the attempt timeout and its result is recorded. (Were the process to die
// instead, their leases expire and they are sent again.)
func (d *Dispatcher) Run(ctx context.Context) error {
	var wg sync.WaitGroup
	defer wg.Wait()
	done := make(chan struct{}, d.cfg.Workers)
	inflight := 0
	timer := time.NewTimer(0)
	defer timer.Stop()
	for {
		wait := d.cfg.PollInterval
		if free := d.cfg.Workers - inflight; free > 0 && ctx.Err() == nil {
			n, next, err := d.claim(ctx, free, &wg, done)
			switch {
			case err != nil && ctx.Err() == nil:
				d.log.WarnContext(ctx, "webhook dispatcher: reading the outbox", "err", err)
				wait = max(wait, 2*time.Second) // the store is unwell: do not hammer it or the log
			case n > 0:
				inflight += n
				wait = 0 // more may be due
			case next > 0 && next < wait:
				wait = next
			}
		}
		timer.Reset(wait)
		select {
		case <-ctx.Done():
			return nil
		case <-done:
			inflight--
		case <-timer.C:
		}
	}
}

// claim leases up to free due deliveries and starts sending them. When none is due it
// returns how long until the next one is.
func (d *Dispatcher) claim(ctx context.Context, free int, wg *sync.WaitGroup, done chan<- struct{}) (int, time.Duration, error) {
	due, ok, err := d.core.NextDeliveryDue(ctx)
	if err != nil || !ok {
		return 0, 0, err
	}
	if wait := due.Sub(d.core.Now()); wait > 0 {
		return 0, wait, nil
	}
	batch, err := d.core.ClaimDeliveries(ctx, free, d.cfg.Lease)
	if err != nil {
		return 0, 0, err
	}
	for _, o := range batch {
		wg.Add(1)
		go func() {
			defer wg.Done()
			d.deliver(context.WithoutCancel(ctx), o)
			done <- struct{}{}
		}()
	}
	return len(batch), 0, nil
}

// retryAfter returns the wait before the next attempt once round attempts of the current
// round have failed; ok is false when the schedule is exhausted.
func (d *Dispatcher) retryAfter(round int) (time.Duration, bool) {
	if round < 1 || round > len(d.cfg.Schedule) {
		return 0, false
	}
	w := d.cfg.Schedule[round-1]
	if d.cfg.Jitter > 0 {
		w = time.Duration(float64(w) * (1 + d.cfg.Jitter*(2*rand.Float64()-1)))
	}
	return w, true
}

// deliver sends one delivery and records the outcome.
func (d *Dispatcher) deliver(ctx context.Context, o *core.OutgoingDelivery) {
	del := &o.Delivery
	res := baas.DeliveryResult{DeliveryID: del.ID, LeaseToken: o.LeaseToken, Attempt: del.Attempts}
	var x exchange
	body, err := d.body(&o.Event, o.Endpoint.Format)
	var header http.Header
	if err == nil {
		if o.SigningSecret == "" {
			err = errors.New("signing secret unavailable")
		} else {
			header, err = signedHeader(o.SigningSecret, EventID(o.Event.ID), d.core.Now(), body, o.EventRequestKey)
		}
	}
	if err != nil {
		x.err = err
	} else {
		actx, cancel := context.WithTimeout(ctx, d.cfg.Timeout)
		x = post(actx, d.cfg.Client, o.Endpoint.URL, header, body)
		cancel()
	}
	res.StatusCode, res.Latency = x.status, x.latency
	if len(x.body) > responseSnippet {
		res.Response = string(x.body[:responseSnippet])
	} else {
		res.Response = string(x.body)
	}
	switch {
	case x.err != nil:
		res.Error = describe(x.err, d.cfg.Timeout)
	case x.status < 200 || x.status > 299:
		res.Error = fmt.Sprintf("HTTP %d", x.status)
	}
	res.At = d.core.Now()
	if res.Error == "" {
		res.Status = baas.DeliverySucceeded
	} else if wait, ok := d.retryAfter(del.RoundAttempts); ok {
		res.Status, res.NextAttemptAt = baas.DeliveryPending, res.At.Add(wait)
	} else {
		res.Status = baas.DeliveryFailed
	}
	rctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	held, err := d.core.RecordDelivery(rctx, res)
	attrs := []any{"delivery_id", del.ID, "endpoint_id", del.EndpointID, "event_id", del.EventID,
		"attempt", del.Attempts, "status", res.Status, "http_status", x.status, "latency", x.latency}
	switch {
	case err != nil || !held:
		d.metrics.observe("unrecorded", x.latency)
	case res.Status == baas.DeliveryFailed:
		d.metrics.observe("failed", x.latency)
	case res.Error != "":
		d.metrics.observe("retry", x.latency)
	default:
		d.metrics.observe("succeeded", x.latency)
	}
	switch {
	case err != nil:
		d.log.ErrorContext(ctx, "webhook delivery: recording the result failed; it will be retried when its lease ends",
			append(attrs, "err", err)...)
	case !held:
		d.log.WarnContext(ctx, "webhook delivery: lease lost before the result was recorded", attrs...)
	case res.Status == baas.DeliveryFailed:
		d.log.WarnContext(ctx, "webhook delivery failed for good", append(attrs, "error", res.Error)...)
	case res.Error != "":
		d.log.InfoContext(ctx, "webhook delivery attempt failed; will retry", append(attrs, "error", res.Error,
			"next_attempt_at", res.NextAttemptAt)...)
	default:
		d.log.DebugContext(ctx, "webhook delivered", attrs...)
	}
}

// body returns the body of an event for an endpoint's format, its payload rendered by
// Config.Render.
func (d *Dispatcher) body(e *baas.Event, format string) ([]byte, error) {
	if d.cfg.Render != nil {
		data, err := d.cfg.Render(e)
		if err != nil {
			return nil, err
		}
		if data != nil {
			r := *e
			r.Payload = data
			e = &r
		}
	}
	return EventBody(e, format)
}
