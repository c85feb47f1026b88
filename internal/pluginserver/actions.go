package pluginserver

import (
	"context"
	"sync"
	"sync/atomic"
	"time"

	"github.com/hashicorp/terraform-plugin-go/tfprotov6"
)

// Why StopProvider waits for actions: terraform-plugin-go (v0.31.0,
// tf6server's InvokeAction) stops sending an action's events once its own
// context is stopped, which it does right after the provider's StopProvider
// returns; an action interrupted by Ctrl-C then ends without its completed
// event, and Terraform reports "Apply complete!" and exits 0. The framework's
// StopProvider cancels the actions' contexts, so each ends within moments:
// StopProvider returns once their completed events have gone out, which
// Terraform then reports as the error they carry.

// actionDrainTimeout bounds how long StopProvider waits for interrupted
// actions to send their completed event; they take milliseconds.
const actionDrainTimeout = 3 * time.Second

// actionStreams counts the action event streams in flight.
type actionStreams struct {
	mu   sync.Mutex
	open int
	idle chan struct{} // closed while none is open
	// stopping is set by StopProvider: from then on only completed events
	// go out. Terraform 1.14.9 stops reading an action's events at the
	// first progress event after Ctrl-C, and crashes ("range function
	// continued iteration") if another event follows it.
	stopping atomic.Bool
}

func newActionStreams() *actionStreams {
	idle := make(chan struct{})
	close(idle)
	return &actionStreams{idle: idle}
}

// start counts a stream in; the function it returns counts it out.
func (a *actionStreams) start() func() {
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.open == 0 {
		a.idle = make(chan struct{})
	}
	a.open++
	var once sync.Once
	return func() {
		once.Do(func() {
			a.mu.Lock()
			defer a.mu.Unlock()
			if a.open--; a.open == 0 {
				close(a.idle)
			}
		})
	}
}

// wait returns once no stream is open, or after limit.
func (a *actionStreams) wait(limit time.Duration) {
	a.mu.Lock()
	idle := a.idle
	a.mu.Unlock()
	timer := time.NewTimer(limit)
	defer timer.Stop()
	select {
	case <-idle:
	case <-timer.C:
	}
}

// InvokeAction counts the action's event stream while it is being sent.
func (s releasingServer) InvokeAction(ctx context.Context, req *tfprotov6.InvokeActionRequest) (*tfprotov6.InvokeActionServerStream, error) {
	stream, err := s.frameworkServer.InvokeAction(ctx, req)
	if err != nil || stream == nil || stream.Events == nil {
		return stream, err
	}
	done := s.actions.start()
	events := stream.Events
	stream.Events = func(push func(tfprotov6.InvokeActionEvent) bool) {
		defer done()
		events(func(ev tfprotov6.InvokeActionEvent) bool {
			if _, progress := ev.Type.(tfprotov6.ProgressInvokeActionEventType); progress && s.actions.stopping.Load() {
				return true // dropped: see stopping
			}
			return push(ev)
		})
	}
	return stream, nil
}

// StopProvider cancels every call in flight, then lets interrupted actions
// send their completed event before terraform-plugin-go stops listening.
func (s releasingServer) StopProvider(ctx context.Context, req *tfprotov6.StopProviderRequest) (*tfprotov6.StopProviderResponse, error) {
	s.actions.stopping.Store(true)
	resp, err := s.frameworkServer.StopProvider(ctx, req)
	s.actions.wait(actionDrainTimeout)
	return resp, err
}
