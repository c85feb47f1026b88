package fgs

import (
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"runtime/debug"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/huaweicloud/huaweicloud-sdk-go-v3/core"
	"github.com/huaweicloud/huaweicloud-sdk-go-v3/core/auth"
	"github.com/huaweicloud/huaweicloud-sdk-go-v3/core/auth/basic"
	"github.com/huaweicloud/huaweicloud-sdk-go-v3/core/auth/signer/algorithm"
	"github.com/huaweicloud/huaweicloud-sdk-go-v3/core/config"
	sdkexchange "github.com/huaweicloud/huaweicloud-sdk-go-v3/core/exchange"
	"github.com/huaweicloud/huaweicloud-sdk-go-v3/core/sdkerr"
	fgsv2 "github.com/huaweicloud/huaweicloud-sdk-go-v3/services/functiongraph/v2"
	iamv3 "github.com/huaweicloud/huaweicloud-sdk-go-v3/services/iam/v3"
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
	// Credentials are the keys requests are signed with. Set them or Token.
	Credentials Credentials
	// Token is an IAM token sent in X-Auth-Token instead of signing.
	Token string
	// AssumeRole, if set, makes calls use the agency's temporary credentials,
	// which IAM issues to Credentials or Token and the client renews before they expire.
	AssumeRole *AssumeRole
	// AuthURL is IAM's address, such as https://iam.cn-north-4.myhuaweicloud.com/v3; required with AssumeRole.
	AuthURL string
	// SigningAlgorithm is one of SigningAlgorithms; empty means HmacSHA256.
	SigningAlgorithm string
	// Cloud is the endpoint domain, DefaultCloud if empty.
	Cloud string
	// EndpointOverride replaces https://functiongraph.<region>.<cloud> for every region.
	EndpointOverride string
	// RegionEndpoints are the SDK's per-region overrides, used when EndpointOverride is empty.
	RegionEndpoints *RegionEndpoints
	// Proxy chooses the HTTP proxy of each request; nil means http.ProxyFromEnvironment.
	Proxy func(*http.Request) (*url.URL, error)
	// Insecure skips TLS certificate verification.
	Insecure bool
	Retry    RetryPolicy
	// AttemptTimeout bounds one HTTP request; the caller's context bounds the whole call.
	AttemptTimeout time.Duration
	// UserAgent is added to the SDK's own.
	UserAgent string
	Logger    Logger
	// MaxRequestsPerSecond caps this client's own requests, whatever the
	// server allows; 0 leaves them to the shared pace alone.
	MaxRequestsPerSecond float64
}

// DefaultAttemptTimeout bounds one HTTP exchange; a hung server is retried.
const DefaultAttemptTimeout = 30 * time.Second

// Client calls FunctionGraph. It is safe for concurrent use and keeps one
// SDK client, and so one pool of kept-alive connections, per endpoint,
// project and credentials.
type Client struct {
	cfg       Config
	transport *callTransport
	now       func() time.Time
	sleep     func(context.Context, time.Duration) error // between attempts

	// creds authenticate FunctionGraph calls; iamCreds, IAM's (with AssumeRole).
	creds       credentialSource
	iamCreds    credentialSource
	iamEndpoint string

	// paceIdentity names the credential whose quota the shared pace follows.
	paceIdentity [sha256.Size]byte
	requestCap   *requestCap

	mu      sync.Mutex
	clients map[sdkClientKey]sdkClientEntry
}

type sdkClientKey struct {
	service   Service
	endpoint  string
	projectID string
	identity  [sha256.Size]byte // of the credentials, so secrets are not map keys
}

type sdkClientEntry struct {
	hc      *core.HcHttpClient
	expires time.Time // of its credentials; zero if they do not expire
}

// New validates the configuration and returns a Client. It sends nothing.
func New(cfg Config) (*Client, error) {
	base, err := baseCredentials(cfg)
	if err != nil {
		return nil, err
	}
	if err := ValidateSigningAlgorithm(cfg.SigningAlgorithm); err != nil {
		return nil, err
	}
	cfg.Cloud = NormalizeCloud(cfg.Cloud)
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
	if cfg.MaxRequestsPerSecond < 0 {
		return nil, fmt.Errorf("max requests per second must not be negative, got %g", cfg.MaxRequestsPerSecond)
	}
	c := &Client{
		cfg:       cfg,
		transport: newTransport(cfg.Insecure, cfg.Proxy, cfg.Logger),
		now:       time.Now,
		sleep:     sleep,
		creds:     base,
		clients:   map[sdkClientKey]sdkClientEntry{},

		paceIdentity: paceIdentity(base, cfg.AssumeRole),
		requestCap:   newRequestCap(cfg.MaxRequestsPerSecond),
	}
	if cfg.AssumeRole != nil {
		if err := cfg.AssumeRole.Validate(); err != nil {
			return nil, err
		}
		if cfg.AuthURL == "" {
			return nil, errors.New("assuming an agency needs IAM's auth URL")
		}
		if c.iamEndpoint, err = IAMEndpoint(cfg.AuthURL); err != nil {
			return nil, err
		}
		c.iamCreds = base
		c.creds = &assumedAgency{fetch: c.assumeAgency, now: func() time.Time { return c.now() }, timeout: assumeRoleTimeout}
	}
	return c, nil
}

// baseCredentials are the keys or the token the configuration gives.
func baseCredentials(cfg Config) (credentialSource, error) {
	keys := cfg.Credentials
	switch {
	case cfg.Token != "" && (keys.AccessKey != "" || keys.SecretKey != ""):
		return nil, errors.New("set either an access key pair or a token, not both")
	case cfg.Token != "":
		return staticCredentials{id: identity{token: cfg.Token}, m: AuthToken}, nil
	case keys.AccessKey == "" || keys.SecretKey == "":
		return nil, errors.New("an access key and a secret key, or a token, are required")
	}
	return staticCredentials{id: identity{keys: keys}, m: AuthAccessKey}, nil
}

// AuthMethod says how FunctionGraph calls authenticate.
func (c *Client) AuthMethod() AuthMethod { return c.creds.method() }

// Endpoint is where calls for a region go.
func (c *Client) Endpoint(region string) (string, error) {
	return Endpoint(region, c.cfg.Cloud, c.cfg.EndpointOverride, c.cfg.RegionEndpoints)
}

// route is where a call goes and what it authenticates with.
type route struct {
	creds     credentialSource
	endpoint  string
	projectID string
}

func (c *Client) route(cl call) (route, *Error) {
	if cl.service == ServiceIAM {
		return route{creds: c.iamCreds, endpoint: c.iamEndpoint}, nil
	}
	endpoint, err := c.Endpoint(cl.urn.Region)
	if err != nil {
		return route{}, &Error{Op: cl.op, URN: cl.urn.String(), Service: cl.service, Kind: KindInvalidInput, Message: err.Error(), Err: err}
	}
	return route{creds: c.creds, endpoint: endpoint, projectID: cl.urn.ProjectID}, nil
}

// sdkClient returns the SDK client for a service's endpoint, project and
// identity, building it on first use. Every one shares the one transport.
func (c *Client) sdkClient(service Service, endpoint, projectID string, id identity) (*core.HcHttpClient, error) {
	key := sdkClientKey{service: service, endpoint: endpoint, projectID: projectID, identity: id.fingerprint()}
	c.mu.Lock()
	defer c.mu.Unlock()
	if e, ok := c.clients[key]; ok {
		return e.hc, nil
	}
	var cred auth.ICredential
	if id.token != "" {
		cred = &tokenCredential{token: id.token, projectID: projectID}
	} else {
		basicCred, err := basic.NewCredentialsBuilder().
			WithAk(id.keys.AccessKey).
			WithSk(id.keys.SecretKey).
			WithSecurityToken(id.keys.SecurityToken).
			WithProjectId(projectID). // set for FunctionGraph: without it the SDK asks IAM
			SafeBuild()
		if err != nil {
			return nil, fmt.Errorf("building credentials: %w", err)
		}
		cred = basicCred
	}
	httpConfig := config.DefaultHttpConfig().
		WithHttpRoundTripper(c.transport).
		WithTimeout(0). // each attempt is bounded by its context instead
		WithUserAgent(c.cfg.UserAgent)
	if c.cfg.SigningAlgorithm != "" {
		httpConfig = httpConfig.WithSigningAlgorithm(algorithm.SigningAlgorithm(c.cfg.SigningAlgorithm))
	}
	var builder *core.HcHttpClientBuilder
	if service == ServiceIAM {
		builder = iamv3.IamClientBuilder()
	} else {
		builder = fgsv2.FunctionGraphClientBuilder()
	}
	builder.CredentialsType = append(builder.CredentialsType, tokenCredentialType)
	hc, err := builder.
		WithEndpoints([]string{endpoint}).
		WithCredential(cred).
		WithHttpConfig(httpConfig).
		SafeBuild()
	if err != nil {
		return nil, fmt.Errorf("building the %s client: %w", service, err)
	}
	// Clients of credentials that have expired will not be asked for again.
	now := c.now()
	for k, e := range c.clients {
		if !e.expires.IsZero() && now.After(e.expires) {
			delete(c.clients, k)
		}
	}
	c.clients[key] = sdkClientEntry{hc: hc, expires: id.expires}
	return hc, nil
}

// call is one logical API call: the operation's name and function, and the
// SDK invocation to repeat. send gets the headers that carry the context.
type call struct {
	op string
	// service is ServiceFunctionGraph (the zero value counts as it) or ServiceIAM.
	service Service
	urn     URN
	send    func(hc *core.HcHttpClient, headers map[string]string) (any, error)
	onRetry func(RetryEvent)
	// onlyOnReject limits retries to answers proving the request was not
	// carried out (429), for calls that must not run twice.
	onlyOnReject bool
	// sent is what the call's attempts so far did, shared by them.
	sent *callRecord
}

// callRecord is what a call's attempts did, for its errors to tell.
type callRecord struct {
	// lost: an attempt reached the endpoint and its answer was lost.
	lost bool
}

// answerLost reports whether any attempt of the call may have been carried out.
func (cl call) answerLost() bool { return cl.sent != nil && cl.sent.lost }

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
	// mask hides the call's secrets in the answer's strings, which every
	// caller passes through it before keeping or showing them.
	mask *masker
}

// do runs a call with the caller's context, retries and panic recovery.
// This is the one place the SDK is driven from: the loop only decides
// whether to try again.
func (c *Client) do(ctx context.Context, cl call) (result, error) {
	if cl.service == "" {
		cl.service = ServiceFunctionGraph
	}
	cl.sent = &callRecord{}
	rt, e := c.route(cl)
	if e != nil {
		return result{}, e
	}
	p := c.paceFor(cl, rt)
	renewed := false
	failures, throttled := 0, 0
	var lastThrottle *Error
	var firstThrottle time.Time
	for attempt := 1; ; attempt++ {
		id, hc, e := c.credentialsAndClient(ctx, cl, rt)
		if e != nil {
			return result{attempts: attempt - 1}, e
		}
		tk, err := c.waitTurn(ctx, p)
		if err != nil {
			return result{attempts: attempt - 1}, c.throttledStop(ctx, cl, p, lastThrottle, err, attempt-1, throttled)
		}
		res, e := c.sendOnce(ctx, hc, cl, rt, id, attempt)
		c.settleTurn(p, tk, e)
		if e == nil {
			return res, nil
		}
		if !renewed && c.renewRefusedCredentials(ctx, cl, rt, id, e) {
			renewed = true
			continue
		}
		if e.throttled() && e.RetryAfter <= maxRetryAfter && p != nil {
			// Throttled is waiting, not failing: the pace decides when it goes again.
			if throttled == 0 {
				firstThrottle = c.now()
			}
			throttled, lastThrottle = throttled+1, e
			if c.waitedTooLong(ctx, e, firstThrottle) {
				c.notePace(e, p, throttled, false)
				return result{attempts: attempt}, e
			}
			c.noteThrottle(ctx, cl, p, e)
			continue
		}
		failures++
		wait, again := c.retryWait(ctx, cl, e, failures)
		if !again {
			c.notePace(e, p, throttled, false)
			return result{attempts: attempt}, e
		}
		if stopped := c.waitToRetry(ctx, cl, e, wait); stopped != nil {
			return result{attempts: attempt}, stopped
		}
	}
}

// credentialsAndClient gets the identity this attempt authenticates with,
// asked per attempt since a retry after a long wait may need renewed
// credentials, and the SDK client that signs with it.
func (c *Client) credentialsAndClient(ctx context.Context, cl call, rt route) (identity, *core.HcHttpClient, *Error) {
	id, err := rt.creds.identity(ctx)
	if err != nil {
		return identity{}, nil, credentialsError(ctx, cl, err)
	}
	hc, err := c.sdkClient(cl.service, rt.endpoint, rt.projectID, id)
	if err != nil {
		return identity{}, nil, &Error{Op: cl.op, URN: cl.urn.String(), Service: cl.service, Auth: rt.creds.method(),
			Endpoint: rt.endpoint, Kind: KindInvalidInput, Message: err.Error(), Err: err}
	}
	return id, hc, nil
}

// sendOnce makes one attempt and returns its result, or the classified
// error with the attempt's facts.
func (c *Client) sendOnce(ctx context.Context, hc *core.HcHttpClient, cl call, rt route, id identity, attempt int) (result, *Error) {
	if ctx.Err() != nil {
		// The deadline passed or Ctrl-C came before this attempt: nothing is sent.
		e := contextError(ctx, cl)
		e.Attempts, e.Endpoint, e.Service, e.Auth = attempt-1, rt.endpoint, cl.service, rt.creds.method()
		return result{}, e
	}
	value, x, err := c.attempt(ctx, hc, cl, id.masker())
	if err == nil {
		status, requestID, _, _ := x.snapshot()
		err = &unexpectedStatusError{status: status}
		if status/100 == 2 {
			err = errorInAnswer(value)
		}
		if err == nil {
			return result{value: value, requestID: requestID, attempts: attempt, mask: x.masker()}, nil
		}
	}
	e := classify(ctx, cl, x, err)
	e.Attempts, e.Endpoint, e.Service, e.Auth = attempt, rt.endpoint, cl.service, rt.creds.method()
	e.reached = x.wasReached()
	if cl.sent != nil && e.lostAnswer() {
		cl.sent.lost = true
	}
	e.AnswerLost = cl.answerLost()
	return result{}, e
}

// renewRefusedCredentials reports whether a 401 came to temporary
// credentials a fresh set may replace (a server clock ahead of ours). A 401
// proves nothing was done, so sending again at once is safe.
func (c *Client) renewRefusedCredentials(ctx context.Context, cl call, rt route, id identity, e *Error) bool {
	if e.Kind != KindAPI || e.StatusCode != 401 || !rt.creds.refused(id) {
		return false
	}
	c.cfg.Logger.Warn(ctx, "Temporary credentials refused; renewing them and sending again", map[string]any{
		"operation": cl.op, "attempt": e.Attempts, "reason": e.Error(),
	})
	return true
}

// attempt sends once, under a per-attempt deadline, with panics recovered;
// mask hides the attempt's secrets in whatever the answer brings back.
func (c *Client) attempt(ctx context.Context, hc *core.HcHttpClient, cl call, mask *masker) (value any, x *exchange, err error) {
	attemptCtx, cancel := context.WithTimeout(ctx, c.cfg.AttemptTimeout)
	defer cancel()
	x = &exchange{ctx: attemptCtx, service: cl.service, mask: mask}
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
	var inBody *errorBodyError
	if errors.As(err, &inBody) {
		e.Kind, e.Code, e.Message = KindAPI, x.text(inBody.code, 64), x.text(inBody.message, 500)
		return e
	}
	var unexpected *unexpectedStatusError
	if errors.As(err, &unexpected) {
		e.Kind, e.Message = KindBadResponse, unexpected.Error()+answerSummary(x)
		return e
	}
	var sre *sdkerr.ServiceResponseError
	if errors.As(err, &sre) {
		if sre.StatusCode != 0 {
			e.StatusCode = sre.StatusCode
		}
		if sre.RequestId != "" {
			e.RequestID = x.text(sre.RequestId, 128)
		}
		e.Code, e.Message = x.text(sre.ErrorCode, 64), x.text(sre.ErrorMessage, 500)
		if e.StatusCode < 400 {
			e.Kind = KindBadResponse
			e.Message = "the answer is not the JSON FunctionGraph sends" + answerSummary(x)
		} else {
			e.Kind = KindAPI
		}
		return e
	}
	if IsMalformedHeader(err) {
		e.Kind, e.Message = KindInvalidInput, rootCause(err).Error()
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

func (x *exchange) wasReached() bool {
	x.mu.Lock()
	defer x.mu.Unlock()
	return x.reached
}

func (x *exchange) sentWithoutAnswer() bool {
	x.mu.Lock()
	defer x.mu.Unlock()
	return x.sent && x.status == 0
}

// credentialsError is a call that could not get credentials: IAM refused or
// failed to issue the agency's, or the caller stopped waiting for them.
func credentialsError(ctx context.Context, cl call, err error) *Error {
	if ctx.Err() != nil {
		ce := contextError(ctx, cl)
		ce.Service, ce.Auth = ServiceIAM, AuthAssumedAgency
		ce.Message = "the call was stopped while waiting for IAM's temporary credentials"
		if ce.Kind == KindTimeout {
			ce.Message = "the deadline passed while waiting for IAM's temporary credentials"
		}
		return ce
	}
	e := &Error{Kind: KindInternal, Message: err.Error(), Err: err}
	if ie, ok := AsError(err); ok {
		copied := *ie
		e = &copied
	}
	e.Op, e.URN, e.Service, e.Auth = cl.op, cl.urn.String(), ServiceIAM, AuthAssumedAgency
	e.AnswerLost = cl.answerLost()
	return e
}

// contextError explains why the caller's context ended.
func contextError(ctx context.Context, cl call) *Error {
	e := &Error{Op: cl.op, URN: cl.urn.String(), Err: context.Cause(ctx), AnswerLost: cl.answerLost()}
	if errors.Is(ctx.Err(), context.DeadlineExceeded) {
		e.Kind, e.Message = KindTimeout, "the deadline passed before the call completed"
	} else {
		e.Kind, e.Message = KindCanceled, "the call was interrupted before it completed"
	}
	return e
}

// printable makes text from an answer safe to show: valid UTF-8 (which the
// plugin protocol requires), no terminal control sequences, at most n bytes.
func printable(s string, n int) string {
	s = strings.ToValidUTF8(s, "\uFFFD")
	s = strings.Map(func(r rune) rune {
		if r < 0x20 && r != '\n' && r != '\t' || r == 0x7f || r >= 0x80 && r < 0xa0 {
			return '\uFFFD'
		}
		return r
	}, s)
	if len(s) <= n {
		return s
	}
	cut := n
	for cut > 0 && !utf8.RuneStart(s[cut]) {
		cut--
	}
	return s[:cut] + "…"
}

// newSDKExchange is the SDK's per-request bookkeeping, which we do not read.
func newSDKExchange() *sdkexchange.SdkExchange {
	return &sdkexchange.SdkExchange{ApiReference: &sdkexchange.ApiReference{}, Attributes: map[string]any{}}
}
