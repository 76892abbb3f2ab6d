package controller

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	corev1 "k8s.io/api/core/v1"
	networkingv1 "k8s.io/api/networking/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/labels"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/client-go/informers"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/kubernetes/scheme"
	typedcorev1 "k8s.io/client-go/kubernetes/typed/core/v1"
	listerscorev1 "k8s.io/client-go/listers/core/v1"
	listersnetworkingv1 "k8s.io/client-go/listers/networking/v1"
	"k8s.io/client-go/tools/cache"
	"k8s.io/client-go/tools/record"
	"k8s.io/client-go/util/workqueue"
)

// sweepKey is the work queue's key for a pass over what the management
// plane holds, which finds what was created for Services deleted while
// the controller was not watching. Service keys are never empty.
const sweepKey = ""

// Options configures a Controller. Zero values select the documented
// defaults.
type Options struct {
	// Kubernetes is the client of the cluster whose Services are watched.
	// Required.
	Kubernetes kubernetes.Interface
	// Endpoint is the management plane's URL, such as
	// "http://gatehouse.gatehouse.svc:8090". Required.
	Endpoint string
	// Token is the bearer token of the management API. Required.
	Token string
	// Namespaces are the namespaces watched. Empty: all namespaces.
	Namespaces []string
	// Ingresses also publishes the Ingresses annotated gatehouse.io/api,
	// as APIs whose service URL is the Ingress's host (which needs list
	// and watch on networking.k8s.io ingresses).
	Ingresses bool
	// Cluster names this cluster in the owner mark of what the controller
	// creates, so that controllers of several clusters can share one
	// management plane. Empty: "default".
	Cluster string
	// ClusterDomain is the cluster's DNS domain. Empty: "cluster.local".
	ClusterDomain string
	// Resync is how often every annotated Service is reconciled again and
	// the management plane is swept for what deleted Services left.
	// Zero: 10 minutes.
	Resync time.Duration
	// Workers is how many Services are reconciled at once. Zero: 2.
	Workers int
	// RetryBase and RetryMax bound the exponential backoff of a Service
	// whose reconcile failed. Zero: 1 second and 5 minutes.
	RetryBase, RetryMax time.Duration
	// HTTPClient calls the management API. Nil: a client with a 30-second
	// timeout. Redirects are never followed.
	HTTPClient *http.Client
	// DocumentClient fetches OpenAPI documents from Services. Nil:
	// http.DefaultClient (each fetch is bounded to 15 seconds).
	DocumentClient *http.Client
	// Logger receives one line per reconcile that changed or failed
	// something. Nil: slog.Default().
	Logger *slog.Logger
	// Registerer receives the controller's metrics. Nil: none are exported.
	Registerer prometheus.Registerer
}

// Controller publishes annotated Services as APIs. Its zero value is not
// usable; use New. Run may be called once.
type Controller struct {
	opts    Options
	log     *slog.Logger
	metrics *metrics
	rec     *reconciler
	queue   workqueue.TypedRateLimitingInterface[string]
	listers map[string]listerscorev1.ServiceLister // by namespace; "" for all
	ingress map[string]listersnetworkingv1.IngressLister
	events  record.EventRecorder
}

// New checks opts and returns a Controller.
func New(opts Options) (*Controller, error) {
	if opts.Kubernetes == nil {
		return nil, errors.New("controller: no Kubernetes client")
	}
	opts.Cluster = strings.TrimSpace(opts.Cluster)
	if opts.Cluster == "" {
		opts.Cluster = "default"
	}
	if strings.ContainsAny(opts.Cluster, " \t\n=") {
		return nil, fmt.Errorf("controller: cluster name %q: no spaces or '='", opts.Cluster)
	}
	if opts.ClusterDomain == "" {
		opts.ClusterDomain = "cluster.local"
	}
	if opts.Resync <= 0 {
		opts.Resync = 10 * time.Minute
	}
	if opts.Workers <= 0 {
		opts.Workers = 2
	}
	if opts.RetryBase <= 0 {
		opts.RetryBase = time.Second
	}
	if opts.RetryMax <= 0 {
		opts.RetryMax = 5 * time.Minute
	}
	if opts.DocumentClient == nil {
		opts.DocumentClient = http.DefaultClient
	}
	if opts.Logger == nil {
		opts.Logger = slog.Default()
	}
	m := newMetrics(opts.Registerer)
	mc, err := newMgmtClient(opts.Endpoint, opts.Token, opts.HTTPClient, m)
	if err != nil {
		return nil, fmt.Errorf("controller: %w", err)
	}
	return &Controller{
		opts:    opts,
		log:     opts.Logger,
		metrics: m,
		rec:     &reconciler{mgmt: mc, fetch: opts.DocumentClient, cluster: opts.Cluster},
	}, nil
}

// Run watches Services and reconciles them until ctx is done. It returns
// nil after ctx is done and every goroutine it started has stopped, or an
// error when the Services cannot be watched.
func (c *Controller) Run(ctx context.Context) error {
	c.queue = workqueue.NewTypedRateLimitingQueueWithConfig(
		workqueue.NewTypedItemExponentialFailureRateLimiter[string](c.opts.RetryBase, c.opts.RetryMax),
		workqueue.TypedRateLimitingQueueConfig[string]{Name: "services", MetricsProvider: c.metrics})
	defer c.queue.ShutDown()

	broadcaster := record.NewBroadcaster(record.WithContext(ctx))
	broadcaster.StartRecordingToSink(&typedcorev1.EventSinkImpl{Interface: c.opts.Kubernetes.CoreV1().Events("")})
	defer broadcaster.Shutdown()
	c.events = broadcaster.NewRecorder(scheme.Scheme, corev1.EventSource{Component: "gatehouse-controller"})

	namespaces := c.opts.Namespaces
	if len(namespaces) == 0 {
		namespaces = []string{corev1.NamespaceAll}
	}
	c.listers = map[string]listerscorev1.ServiceLister{}
	c.ingress = map[string]listersnetworkingv1.IngressLister{}
	var factories []informers.SharedInformerFactory
	var synced []cache.InformerSynced
	for _, ns := range namespaces {
		f := informers.NewSharedInformerFactoryWithOptions(c.opts.Kubernetes, c.opts.Resync, informers.WithNamespace(ns))
		inf := f.Core().V1().Services()
		if _, err := inf.Informer().AddEventHandler(c.handler()); err != nil {
			return fmt.Errorf("watch services in %q: %w", ns, err)
		}
		c.listers[ns] = inf.Lister()
		synced = append(synced, inf.Informer().HasSynced)
		if c.opts.Ingresses {
			ing := f.Networking().V1().Ingresses()
			if _, err := ing.Informer().AddEventHandler(c.handler()); err != nil {
				return fmt.Errorf("watch ingresses in %q: %w", ns, err)
			}
			c.ingress[ns] = ing.Lister()
			synced = append(synced, ing.Informer().HasSynced)
		}
		factories = append(factories, f)
	}
	for _, f := range factories {
		f.Start(ctx.Done())
		defer f.Shutdown()
	}
	if !cache.WaitForCacheSync(ctx.Done(), synced...) {
		return nil // ctx is done
	}
	c.log.Info("gatehouse-controller watching", "namespaces", c.opts.Namespaces, "cluster", c.opts.Cluster, "endpoint", c.opts.Endpoint)

	var wg sync.WaitGroup
	for range c.opts.Workers {
		wg.Go(func() {
			for c.next(ctx) {
			}
		})
	}
	wg.Go(func() { c.sweepEvery(ctx) })
	<-ctx.Done()
	c.queue.ShutDown()
	wg.Wait()
	return nil
}

// handler enqueues annotated Services and Ingresses, and those that were.
// An Ingress's key starts with ingressPrefix.
func (c *Controller) handler() cache.ResourceEventHandler {
	enqueue := func(obj any) {
		key, err := cache.DeletionHandlingMetaNamespaceKeyFunc(obj)
		if err != nil {
			return
		}
		inner := obj
		if tomb, ok := obj.(cache.DeletedFinalStateUnknown); ok {
			inner = tomb.Obj
		}
		if _, ok := inner.(*networkingv1.Ingress); ok {
			key = ingressPrefix + key
		}
		c.queue.Add(key)
	}
	marked := func(obj any) bool {
		if tomb, ok := obj.(cache.DeletedFinalStateUnknown); ok {
			obj = tomb.Obj
		}
		m, ok := obj.(metav1.Object)
		return !ok || annotated(m) // an unknown tombstone: look
	}
	return cache.ResourceEventHandlerFuncs{
		AddFunc: func(obj any) {
			if marked(obj) {
				enqueue(obj)
			}
		},
		UpdateFunc: func(old, cur any) {
			if marked(old) || marked(cur) {
				enqueue(cur)
			}
		},
		DeleteFunc: func(obj any) {
			if marked(obj) {
				enqueue(obj)
			}
		},
	}
}

// sweepEvery queues a sweep now and after every resync period.
func (c *Controller) sweepEvery(ctx context.Context) {
	t := time.NewTicker(c.opts.Resync)
	defer t.Stop()
	for {
		c.queue.Add(sweepKey)
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// next reconciles one key; it reports false when the queue is shut down.
func (c *Controller) next(ctx context.Context) bool {
	key, quit := c.queue.Get()
	if quit {
		return false
	}
	defer c.queue.Done(key)
	start := time.Now()
	err := c.reconcile(ctx, key)
	c.metrics.duration.Observe(time.Since(start).Seconds())
	var conflict *ConflictError
	switch {
	case err == nil, errors.As(err, &conflict), errors.Is(err, errInvalid):
		c.queue.Forget(key)
	case ctx.Err() != nil:
	default:
		c.queue.AddRateLimited(key)
	}
	return true
}

// errInvalid marks an annotation the controller cannot act on: nothing is
// retried until the Service changes.
var errInvalid = errors.New("invalid annotation")

// reconcile makes the management plane match the Service key, or sweeps.
func (c *Controller) reconcile(ctx context.Context, key string) error {
	if key == sweepKey {
		return c.sweep(ctx)
	}
	nsName, isIngress := strings.CutPrefix(key, ingressPrefix)
	ns, name, err := cache.SplitMetaNamespaceKey(nsName)
	if err != nil {
		return nil // not a key of ours
	}
	if !c.watches(ns) || (isIngress && !c.opts.Ingresses) {
		return nil // another controller's, or one from before the namespaces changed
	}
	var obj metav1.Object
	var parse func() (spec, error)
	if isIngress {
		ing, err := c.ingressObject(ns, name)
		if err != nil {
			return err
		}
		if ing != nil {
			obj, parse = ing, func() (spec, error) { return parseIngressSpec(ing) }
		}
	} else {
		svc, err := c.service(ns, name)
		if err != nil {
			return err
		}
		if svc != nil {
			obj, parse = svc, func() (spec, error) { return parseSpec(svc, c.opts.ClusterDomain) }
		}
	}
	log := c.log.With("service", key)
	if obj == nil || !annotated(obj) {
		changes, err := c.rec.removeOwned(ctx, key, "")
		c.report(log, obj, "deleted", changes, err)
		return err
	}
	s, err := parse()
	if err != nil {
		err = fmt.Errorf("%w: %w", errInvalid, err)
		c.report(log, obj, "invalid", nil, err)
		return err
	}
	changes, err := c.rec.apply(ctx, s)
	c.report(log, obj, "synced", changes, err)
	return err
}

// ingressObject returns the Ingress from the informers' cache, or nil. ns
// must be watched.
func (c *Controller) ingressObject(ns, name string) (*networkingv1.Ingress, error) {
	l, ok := c.ingress[ns]
	if !ok {
		l = c.ingress[corev1.NamespaceAll]
	}
	ing, err := l.Ingresses(ns).Get(name)
	if apierrors.IsNotFound(err) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("ingress %s/%s: %w", ns, name, err)
	}
	return ing, nil
}

// watches reports whether namespace ns is watched. What the controller
// created for Services of other namespaces is left alone, so that two
// controllers watching different namespaces of one cluster never delete
// each other's APIs.
func (c *Controller) watches(ns string) bool {
	_, all := c.listers[corev1.NamespaceAll]
	_, one := c.listers[ns]
	return all || one
}

// service returns the Service from the informers' cache, or nil. ns must
// be watched.
func (c *Controller) service(ns, name string) (*corev1.Service, error) {
	l, ok := c.listers[ns]
	if !ok {
		l = c.listers[corev1.NamespaceAll]
	}
	svc, err := l.Services(ns).Get(name)
	if apierrors.IsNotFound(err) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("service %s/%s: %w", ns, name, err)
	}
	return svc, nil
}

// sweep queues every Service that the management plane holds resources
// for, so that those of deleted Services are removed, and counts the
// annotated Services.
func (c *Controller) sweep(ctx context.Context) error {
	count := 0
	for _, l := range c.listers {
		svcs, err := l.List(labels.Everything())
		if err != nil {
			return fmt.Errorf("list services: %w", err)
		}
		for _, s := range svcs {
			if annotated(s) {
				count++
			}
		}
	}
	c.metrics.managed.Set(float64(count))
	seen := map[string]bool{}
	for _, coll := range []string{"apis", "backends"} {
		items, err := c.rec.owned(ctx, coll)
		if err != nil {
			c.log.Warn("sweep", "error", err.Error())
			return err
		}
		for _, it := range items {
			ns, _, _ := strings.Cut(strings.TrimPrefix(it.service, ingressPrefix), "/")
			if !seen[it.service] && c.watches(ns) {
				seen[it.service] = true
				c.queue.Add(it.service)
			}
		}
	}
	return nil
}

// report logs a reconcile's outcome, counts it and records an event on
// the Service when something changed or failed.
func (c *Controller) report(log *slog.Logger, obj metav1.Object, result string, changes []string, err error) {
	var conflict *ConflictError
	switch {
	case errors.As(err, &conflict):
		result = "conflict"
	case errors.Is(err, errInvalid):
		result = "invalid"
	case err != nil:
		result = "error"
	case len(changes) == 0:
		result = "unchanged"
	}
	c.metrics.reconciles.WithLabelValues(result).Inc()
	if err == nil && len(changes) == 0 {
		return
	}
	msg := strings.Join(changes, "; ")
	if err != nil {
		log.Warn("reconcile", "result", result, "changes", changes, "error", err.Error())
	} else {
		log.Info("reconcile", "result", result, "changes", changes)
	}
	svc, ok := obj.(runtime.Object)
	if !ok || obj == nil {
		return
	}
	switch result {
	case "conflict":
		c.events.Event(svc, corev1.EventTypeWarning, "Conflict", err.Error())
	case "invalid":
		c.events.Event(svc, corev1.EventTypeWarning, "InvalidAnnotation", err.Error())
	case "error":
		c.events.Event(svc, corev1.EventTypeWarning, "SyncFailed", err.Error()+" (retrying)")
	case "deleted":
		c.events.Event(svc, corev1.EventTypeNormal, "Removed", msg)
	default:
		c.events.Event(svc, corev1.EventTypeNormal, "Synced", msg)
	}
}
