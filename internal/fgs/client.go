package fgs

import (
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
	"net/url"
	"runtime/debug"
	"sync"
	"time"

	"github.com/huaweicloud/huaweicloud-sdk-go-v3/core"
	"github.com/huaweicloud/huaweicloud-sdk-go-v3/core/auth/basic"
	"github.com/huaweicloud/huaweicloud-sdk-go-v3/core/config"
	sdkexchange "github.com/huaweicloud/huaweicloud-sdk-go-v3/core/exchange"
	"github.com/huaweicloud/huaweicloud-sdk-go-v3/core/sdkerr"
	fgsv2 "github.com/huaweicloud/huaweicloud-sdk-go-v3/services/functiongraph/v2"
)

// Credentials are an access key pair, with a security token when temporary.
type Credentials struct {
	AccessKey     string
	SecretKey     string
	SecurityToken string
}

// Logger receives one line per HTTP exchange and per retry. Fields never
// hold secrets. The provider plugs tflog in; nil discards.
type Logger interface {
	Debug(ctx context.Context, msg string, fields map[string]any)
	Warn(ctx context.Context, msg string, fields map[string]any)
}

type nopLogger struct{}

func (nopLogger) Debug(context.Context, string, map[string]any) {}
func (nopLogger) Warn(context.Context, string, map[string]any)  {}

// Config is everything a Client needs; the provider builds it once.
type Config struct {
	Credentials Credentials
	// Cloud is the endpoint domain, DefaultCloud if empty.
	Cloud string
	// EndpointOverride replaces https://functiongraph.<region>.<cloud> for every region.
	EndpointOverride string
	// Insecure skips TLS certificate verification.
	Insecure bool
	Retry    RetryPolicy
	// AttemptTimeout bounds one HTTP request; the caller's context bounds the whole call.
	AttemptTimeout time.Duration
	// UserAgent is added to the SDK's own.
	UserAgent string
	Logger    Logger
}

// DefaultAttemptTimeout bounds one HTTP exchange; a hung server is retried.
const DefaultAttemptTimeout = 30 * time.Second

// Client calls FunctionGraph. It is safe for concurrent use and keeps one
// SDK client, and so one pool of kept-alive connections, per endpoint,
// project and credentials.
type Client struct {
	cfg       Config
	transport *callTransport

	mu      sync.Mutex
	clients map[sdkClientKey]*core.HcHttpClient
}

type sdkClientKey struct {
	endpoint  string
	projectID string
	identity  [sha256.Size]byte // of the credentials, so secrets are not map keys
}

// New validates the configuration and returns a Client. It sends nothing.
func New(cfg Config) (*Client, error) {
	if cfg.Credentials.AccessKey == "" || cfg.Credentials.SecretKey == "" {
		return nil, errors.New("an access key and a secret key are required")
	}
	if cfg.Cloud == "" {
		cfg.Cloud = DefaultCloud
	}
	if err := ValidateCloud(cfg.Cloud); err != nil {
		return nil, err
	}
	if cfg.EndpointOverride != "" {
		if err := ValidateEndpointURL(cfg.EndpointOverride); err != nil {
			return nil, err
		}
	}
	if cfg.Retry == (RetryPolicy{}) {
		cfg.Retry = DefaultRetryPolicy
	}
	if cfg.Retry.MaxRetries < 0 {
		return nil, fmt.Errorf("max retries must not be negative, got %d", cfg.Retry.MaxRetries)
	}
	if cfg.AttemptTimeout <= 0 {
		cfg.AttemptTimeout = DefaultAttemptTimeout
	}
	if cfg.Logger == nil {
		cfg.Logger = nopLogger{}
	}
	return &Client{
		cfg:       cfg,
		transport: newTransport(cfg.Insecure, cfg.Logger),
		clients:   map[sdkClientKey]*core.HcHttpClient{},
	}, nil
}

// Endpoint is where calls for a region go.
func (c *Client) Endpoint(region string) (string, error) {
	return Endpoint(region, c.cfg.Cloud, c.cfg.EndpointOverride)
}

// sdkClient returns the SDK client for a function's endpoint and project,
// building it on first use.
func (c *Client) sdkClient(urn URN) (*core.HcHttpClient, string, error) {
	endpoint, err := c.Endpoint(urn.Region)
	if err != nil {
		return nil, "", err
	}
	creds := c.cfg.Credentials
	key := sdkClientKey{
		endpoint:  endpoint,
		projectID: urn.ProjectID,
		identity:  sha256.Sum256([]byte(creds.AccessKey + "\x00" + creds.SecretKey + "\x00" + creds.SecurityToken)),
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if hc, ok := c.clients[key]; ok {
		return hc, endpoint, nil
	}
	cred, err := basic.NewCredentialsBuilder().
		WithAk(creds.AccessKey).
		WithSk(creds.SecretKey).
		WithSecurityToken(creds.SecurityToken).
		WithProjectId(urn.ProjectID). // always set: without it the SDK asks IAM
		SafeBuild()
	if err != nil {
		return nil, "", fmt.Errorf("building credentials: %w", err)
	}
	httpConfig := config.DefaultHttpConfig().
		WithHttpRoundTripper(c.transport).
		WithTimeout(0). // each attempt is bounded by its context instead
		WithUserAgent(c.cfg.UserAgent)
	hc, err := fgsv2.FunctionGraphClientBuilder().
		WithEndpoints([]string{endpoint}).
		WithCredential(cred).
		WithHttpConfig(httpConfig).
		SafeBuild()
	if err != nil {
		return nil, "", fmt.Errorf("building the FunctionGraph client: %w", err)
	}
	c.clients[key] = hc
	return hc, endpoint, nil
}

// call is one logical API call: the operation's name and function, and the
// SDK invocation to repeat. send gets the headers that carry the context.
type call struct {
	op      string
	urn     URN
	send    func(hc *core.HcHttpClient, headers map[string]string) (any, error)
	onRetry func(RetryEvent)
	// onlyOnReject limits retries to answers proving the request was not
	// carried out (429), for calls that must not run twice.
	onlyOnReject bool
}

// RetryEvent describes a retry about to happen, for progress reports.
type RetryEvent struct {
	Op      string
	Attempt int // the attempt that failed
	Wait    time.Duration
	Err     *Error
}

// result is a successful call's answer and its bookkeeping.
type result struct {
	value     any
	requestID string
	attempts  int
}

// do runs a call with the caller's context, retries and panic recovery.
// This is the one place the SDK is driven from.
func (c *Client) do(ctx context.Context, cl call) (result, error) {
	hc, endpoint, err := c.sdkClient(cl.urn)
	if err != nil {
		return result{}, &Error{Op: cl.op, URN: cl.urn.String(), Kind: KindInvalidInput, Message: err.Error(), Err: err}
	}
	policy := c.cfg.Retry
	for attempt := 1; ; attempt++ {
		value, x, sendErr := c.attempt(ctx, hc, cl)
		if sendErr == nil {
			_, requestID, _, _ := x.snapshot()
			return result{value: value, requestID: requestID, attempts: attempt}, nil
		}
		e := classify(ctx, cl, x, sendErr)
		e.Attempts, e.Endpoint = attempt, endpoint
		retry := e.retryable()
		if cl.onlyOnReject {
			retry = e.Kind == KindAPI && e.StatusCode == 429
		}
		if !retry {
			return result{attempts: attempt}, e
		}
		if attempt > policy.MaxRetries {
			e.StoppedRetrying = fmt.Sprintf("gave up after %d attempts (max_retries = %d)", attempt, policy.MaxRetries)
			return result{attempts: attempt}, e
		}
		wait := policy.backoff(attempt, e.RetryAfter)
		if e.RetryAfter > maxRetryAfter {
			e.StoppedRetrying = fmt.Sprintf("the server asked to retry after %s, longer than the %s this provider waits", e.RetryAfter, maxRetryAfter)
			return result{attempts: attempt}, e
		}
		if deadline, ok := ctx.Deadline(); ok && time.Until(deadline) < wait {
			e.StoppedRetrying = fmt.Sprintf("the next retry, in %s, would pass the deadline", wait.Round(time.Millisecond))
			return result{attempts: attempt}, e
		}
		c.cfg.Logger.Warn(ctx, "Retrying FunctionGraph request", map[string]any{
			"operation": cl.op, "attempt": attempt, "wait_ms": wait.Milliseconds(), "reason": e.Error(),
		})
		if cl.onRetry != nil {
			cl.onRetry(RetryEvent{Op: cl.op, Attempt: attempt, Wait: wait, Err: e})
		}
		timer := time.NewTimer(wait)
		select {
		case <-ctx.Done():
			timer.Stop()
			ce := contextError(ctx, cl)
			ce.Attempts, ce.Endpoint = attempt, endpoint
			ce.StatusCode, ce.Code, ce.Message, ce.RequestID = e.StatusCode, e.Code, e.Message, e.RequestID
			return result{attempts: attempt}, ce
		case <-timer.C:
		}
	}
}

// attempt sends once, under a per-attempt deadline, with panics recovered.
func (c *Client) attempt(ctx context.Context, hc *core.HcHttpClient, cl call) (value any, x *exchange, err error) {
	attemptCtx, cancel := context.WithTimeout(ctx, c.cfg.AttemptTimeout)
	defer cancel()
	x = &exchange{ctx: attemptCtx}
	id, release := c.transport.register(x)
	defer release()
	defer func() {
		if r := recover(); r != nil {
			err = &sdkPanic{value: r, stack: debug.Stack()}
		}
	}()
	value, err = cl.send(hc, map[string]string{callHeader: id})
	return value, x, err
}

// sdkPanic is a panic inside the SDK, turned into an error.
type sdkPanic struct {
	value any
	stack []byte
}

func (p *sdkPanic) Error() string { return fmt.Sprintf("the Huawei Cloud SDK panicked: %v", p.value) }

// classify turns whatever the SDK returned into an *Error.
func classify(ctx context.Context, cl call, x *exchange, err error) *Error {
	status, requestID, retryAfter, bodyErr := x.snapshot()
	e := &Error{Op: cl.op, URN: cl.urn.String(), StatusCode: status, RequestID: requestID, RetryAfter: retryAfter, Err: err}

	var p *sdkPanic
	if errors.As(err, &p) {
		e.Kind, e.Message = KindInternal, p.Error()
		return e
	}
	if ctx.Err() != nil {
		ce := contextError(ctx, cl)
		ce.StatusCode, ce.RequestID, ce.Err = status, requestID, err
		return ce
	}
	if bodyErr != nil {
		e.Kind = KindBadResponse
		if errors.Is(bodyErr, errResponseTooLarge) {
			e.Message = "the answer was too large to read: " + bodyErr.Error()
			e.Err = errResponseTooLarge
		} else {
			e.Message = "the answer was cut off: " + bodyErr.Error()
			e.cutOff = true
		}
		return e
	}
	var sre *sdkerr.ServiceResponseError
	if errors.As(err, &sre) {
		if sre.StatusCode != 0 {
			e.StatusCode = sre.StatusCode
		}
		if sre.RequestId != "" {
			e.RequestID = sre.RequestId
		}
		e.Code, e.Message = sre.ErrorCode, sre.ErrorMessage
		if e.StatusCode < 400 {
			e.Kind = KindBadResponse
			e.Message = "the answer could not be read: " + truncate(sre.ErrorMessage, 200)
			return e
		}
		e.Kind = KindAPI
		e.Message = truncate(e.Message, 500)
		return e
	}
	var ue *url.Error
	if errors.As(err, &ue) || x.sentWithoutAnswer() {
		e.Kind = KindConnection
		e.Message = connectionMessage(err)
		if errors.Is(err, context.DeadlineExceeded) {
			e.Message = "no answer within the per-request timeout"
		}
		return e
	}
	e.Kind = KindInternal
	e.Message = err.Error()
	return e
}

func (x *exchange) sentWithoutAnswer() bool {
	x.mu.Lock()
	defer x.mu.Unlock()
	return x.sent && x.status == 0
}

// contextError explains why the caller's context ended.
func contextError(ctx context.Context, cl call) *Error {
	e := &Error{Op: cl.op, URN: cl.urn.String(), Err: context.Cause(ctx)}
	if errors.Is(ctx.Err(), context.DeadlineExceeded) {
		e.Kind, e.Message = KindTimeout, "the deadline passed before the call completed"
	} else {
		e.Kind, e.Message = KindCanceled, "the call was interrupted before it completed"
	}
	return e
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + "…"
}

// newSDKExchange is the SDK's per-request bookkeeping, which we do not read.
func newSDKExchange() *sdkexchange.SdkExchange {
	return &sdkexchange.SdkExchange{ApiReference: &sdkexchange.ApiReference{}, Attributes: map[string]any{}}
}
