package fgs

import (
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"sync"
	"time"
)

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

// New validates the configuration and returns a Client. It sends nothing.
func New(cfg Config) (*Client, error) {
	base, err := baseCredentials(cfg)
	if err != nil {
		return nil, err
	}
	if cfg, err = cfg.withDefaults(); err != nil {
		return nil, err
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
		if err := c.assumeRole(base); err != nil {
			return nil, err
		}
	}
	return c, nil
}

// withDefaults checks the configuration and fills what it leaves empty.
func (cfg Config) withDefaults() (Config, error) {
	if err := ValidateSigningAlgorithm(cfg.SigningAlgorithm); err != nil {
		return cfg, err
	}
	cfg.Cloud = NormalizeCloud(cfg.Cloud)
	if cfg.Cloud == "" {
		cfg.Cloud = DefaultCloud
	}
	if err := ValidateCloud(cfg.Cloud); err != nil {
		return cfg, err
	}
	if cfg.EndpointOverride != "" {
		if err := ValidateEndpointURL(cfg.EndpointOverride); err != nil {
			return cfg, err
		}
	}
	if cfg.Retry == (RetryPolicy{}) {
		cfg.Retry = DefaultRetryPolicy
	}
	if cfg.Retry.MaxRetries < 0 {
		return cfg, fmt.Errorf("max retries must not be negative, got %d", cfg.Retry.MaxRetries)
	}
	if cfg.AttemptTimeout <= 0 {
		cfg.AttemptTimeout = DefaultAttemptTimeout
	}
	if cfg.Logger == nil {
		cfg.Logger = nopLogger{}
	}
	if cfg.MaxRequestsPerSecond < 0 {
		return cfg, fmt.Errorf("max requests per second must not be negative, got %g", cfg.MaxRequestsPerSecond)
	}
	return cfg, nil
}

// assumeRole makes FunctionGraph calls use the agency's temporary
// credentials, which IAM issues to the base ones.
func (c *Client) assumeRole(base credentialSource) error {
	if err := c.cfg.AssumeRole.Validate(); err != nil {
		return err
	}
	if c.cfg.AuthURL == "" {
		return errors.New("assuming an agency needs IAM's auth URL")
	}
	var err error
	if c.iamEndpoint, err = IAMEndpoint(c.cfg.AuthURL); err != nil {
		return err
	}
	c.iamCreds = base
	c.creds = &assumedAgency{fetch: c.assumeAgency, now: func() time.Time { return c.now() }, timeout: assumeRoleTimeout}
	return nil
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
