package fgs

import (
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
	"runtime/debug"
	"strings"
	"sync"
	"time"

	"github.com/huaweicloud/huaweicloud-sdk-go-v3/core/auth/signer/algorithm"
)

// AuthMethod is how calls prove who sends them.
type AuthMethod string

const (
	// AuthAccessKey signs each request with an access key and secret key.
	AuthAccessKey AuthMethod = "access key"
	// AuthToken sends an IAM token in X-Auth-Token instead of signing.
	AuthToken AuthMethod = "token"
	// AuthAssumedAgency signs with temporary keys IAM issues for an agency.
	AuthAssumedAgency AuthMethod = "assumed agency"
)

// AssumeRole names the agency whose temporary credentials calls use. The
// configured keys or token only authenticate the request to IAM.
type AssumeRole struct {
	AgencyName string
	// DomainName or DomainID names the account that owns the agency; one is required.
	DomainName string
	DomainID   string
	// Duration is how long IAM's credentials last; 0 lets IAM choose (15 minutes).
	Duration time.Duration
}

// Bounds IAM puts on the lifetime of an agency's temporary credentials.
const (
	MinAssumeRoleDuration = 15 * time.Minute
	MaxAssumeRoleDuration = 12 * time.Hour
)

// Validate checks an agency before IAM is asked for it.
func (r AssumeRole) Validate() error {
	if strings.TrimSpace(r.AgencyName) == "" {
		return errors.New("the agency name is empty")
	}
	if strings.TrimSpace(r.DomainName) == "" && strings.TrimSpace(r.DomainID) == "" {
		return fmt.Errorf("agency %q needs the name or the ID of the account (domain) that owns it", r.AgencyName)
	}
	if r.Duration != 0 && (r.Duration < MinAssumeRoleDuration || r.Duration > MaxAssumeRoleDuration) {
		return fmt.Errorf("the duration %s is outside what IAM allows (%d to %d seconds)",
			r.Duration, int(MinAssumeRoleDuration/time.Second), int(MaxAssumeRoleDuration/time.Second))
	}
	return nil
}

// SigningAlgorithms are the AK/SK signing algorithms the SDK implements.
var SigningAlgorithms = []string{algorithm.HmacSHA256, algorithm.HmacSM3, algorithm.EcdsaP256SHA256, algorithm.SM2SM3}

// ValidateSigningAlgorithm checks a signing algorithm's name; empty means HmacSHA256.
func ValidateSigningAlgorithm(name string) error {
	if name == "" {
		return nil
	}
	for _, a := range SigningAlgorithms {
		if a == name {
			return nil
		}
	}
	return fmt.Errorf("%q is not a signing algorithm; use one of %s", name, strings.Join(SigningAlgorithms, ", "))
}

// CheckCredentialText refuses a key, secret or token that HTTP cannot carry
// or that was surely pasted with more than the value: white space around
// it, a line break or another control character inside. The error never
// quotes the value.
func CheckCredentialText(v string) error {
	switch {
	case v == "":
		return nil
	case strings.HasSuffix(v, "\n") || strings.HasSuffix(v, "\r"):
		return errors.New("it ends with a line break, as a value read from a file usually does")
	case strings.TrimSpace(v) != v:
		return errors.New("it has white space at its start or end")
	case strings.ContainsAny(v, "\r\n"):
		return errors.New("it contains a line break")
	}
	for _, r := range v {
		if r < 0x20 || r == 0x7f {
			return errors.New("it contains a control character")
		}
	}
	return nil
}

// MaskAccessKey shows enough of an access key to tell keys apart in logs.
func MaskAccessKey(ak string) string {
	if len(ak) < 12 {
		return "***"
	}
	return ak[:3] + "***" + ak[len(ak)-3:]
}

// identity is what one request authenticates with: keys, or a token.
type identity struct {
	keys  Credentials
	token string
	// expires is when temporary keys stop working; zero if not known to expire.
	expires time.Time
}

// fingerprint tells identities apart without keeping secrets as map keys.
func (id identity) fingerprint() [sha256.Size]byte {
	return sha256.Sum256([]byte(id.keys.AccessKey + "\x00" + id.keys.SecretKey + "\x00" + id.keys.SecurityToken + "\x00" + id.token))
}

// credentialSource gives the identity each attempt authenticates with.
type credentialSource interface {
	identity(ctx context.Context) (identity, error)
	method() AuthMethod
	// refused hears that the server answered 401 to id, and reports whether
	// a fresh identity may succeed where this one failed.
	refused(id identity) bool
}

// staticCredentials are keys or a token that never change.
type staticCredentials struct {
	id identity
	m  AuthMethod
}

func (s staticCredentials) identity(context.Context) (identity, error) { return s.id, nil }
func (s staticCredentials) method() AuthMethod                         { return s.m }
func (s staticCredentials) refused(identity) bool                      { return false }

// assumedAgency caches an agency's temporary credentials and renews them
// before they expire. Callers that find them due share one renewal, so any
// number of concurrent calls make one IAM request.
type assumedAgency struct {
	fetch   func(ctx context.Context) (identity, error)
	now     func() time.Time
	timeout time.Duration // bounds one renewal, IAM's retries included

	mu      sync.Mutex
	current identity
	renewAt time.Time
	pending *renewal
}

// renewal is one IAM request that every waiting caller shares.
type renewal struct {
	done chan struct{}
	id   identity
	err  error
}

// assumeRoleTimeout bounds one renewal: a hung IAM must not hang applies.
const assumeRoleTimeout = 2 * time.Minute

func (a *assumedAgency) method() AuthMethod { return AuthAssumedAgency }

func (a *assumedAgency) identity(ctx context.Context) (identity, error) {
	a.mu.Lock()
	if a.current.keys.AccessKey != "" && a.now().Before(a.renewAt) {
		id := a.current
		a.mu.Unlock()
		return id, nil
	}
	r := a.pending
	if r == nil {
		r = &renewal{done: make(chan struct{})}
		a.pending = r
		// Detached from this caller, so its Ctrl-C or deadline does not fail the others waiting.
		go a.renew(context.WithoutCancel(ctx), r)
	}
	a.mu.Unlock()
	select {
	case <-r.done:
		return r.id, r.err
	case <-ctx.Done():
		return identity{}, ctx.Err()
	}
}

func (a *assumedAgency) renew(ctx context.Context, r *renewal) {
	ctx, cancel := context.WithTimeout(ctx, a.timeout)
	defer cancel()
	id, err := a.fetchSafely(ctx)
	a.mu.Lock()
	if err == nil {
		a.current = id
		a.renewAt = renewalTime(a.now(), id.expires)
	}
	a.pending = nil
	a.mu.Unlock()
	r.id, r.err = id, err
	close(r.done)
}

// fetchSafely turns a panic into an error: this runs on its own goroutine,
// where a panic would end the provider.
func (a *assumedAgency) fetchSafely(ctx context.Context) (id identity, err error) {
	defer func() {
		if p := recover(); p != nil {
			err = &Error{Op: opAssumeAgency, Service: ServiceIAM, Kind: KindInternal,
				Message: fmt.Sprintf("getting temporary credentials panicked: %v", p), Err: &sdkPanic{value: p, stack: debug.Stack()}}
		}
	}()
	return a.fetch(ctx)
}

func (a *assumedAgency) refused(id identity) bool {
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.current.fingerprint() == id.fingerprint() {
		a.renewAt = time.Time{}
	}
	return true
}

// renewalTime is when credentials valid until expires should be replaced:
// a quarter of their lifetime early, at most 5 minutes, so that a request
// signed just before renewal still arrives before they expire.
func renewalTime(now, expires time.Time) time.Time {
	margin := expires.Sub(now) / 4
	if margin > 5*time.Minute {
		margin = 5 * time.Minute
	}
	return expires.Add(-margin)
}

// Credentials are an access key pair, with a security token when temporary.
type Credentials struct {
	AccessKey     string
	SecretKey     string
	SecurityToken string
}
