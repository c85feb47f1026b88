package fgsemu

import (
	"crypto/subtle"
	"net/http"
	"time"
)

// tempCredential is an access key IAM issued for an agency.
type tempCredential struct {
	secret  string
	token   string
	expires time.Time
}

// AddToken accepts an X-Auth-Token until expires (zero time: forever).
func (e *Emulator) AddToken(token string, expires time.Time) {
	if token == "" {
		return
	}
	e.authMu.Lock()
	e.tokens[token] = expires
	e.authMu.Unlock()
}

// authenticate accepts an AK/SK signature (permanent or temporary keys) or,
// without Authorization, a known X-Auth-Token.
func (e *Emulator) authenticate(r *http.Request, body []byte) *AuthError {
	now := e.now()
	if r.Header.Get("Authorization") == "" {
		token := r.Header.Get(headerAuthToken)
		if token == "" {
			return &AuthError{Code: CodeAuthMissing, Reason: "Missing authentication: sign the request with an access key and secret key (Authorization: SDK-HMAC-SHA256 ...) or send X-Auth-Token"}
		}
		return e.checkToken(token, now)
	}
	var expired bool
	var expiredAt time.Time
	secretFor := func(ak string) (string, string, bool) {
		if sk, ok := e.opts.Keys[ak]; ok {
			return sk, "", true
		}
		e.authMu.RLock()
		c, ok := e.tempCreds[ak]
		e.authMu.RUnlock()
		if !ok {
			return "", "", false
		}
		if !now.Before(c.expires) {
			expired, expiredAt = true, c.expires
		}
		return c.secret, c.token, true
	}
	if err := VerifySignature(r, body, secretFor, now); err != nil {
		if ae, ok := err.(*AuthError); ok {
			return ae
		}
		return authFailed("signature could not be verified")
	}
	if expired {
		return &AuthError{Code: CodeAuthFailed, Expired: true,
			Reason: "the temporary access key expired at " + expiredAt.UTC().Format(time.RFC3339) + "; get new temporary credentials"}
	}
	return nil
}

// checkToken looks the token up with a constant-time compare per candidate.
func (e *Emulator) checkToken(token string, now time.Time) *AuthError {
	e.authMu.RLock()
	defer e.authMu.RUnlock()
	for t, exp := range e.tokens {
		if subtle.ConstantTimeCompare([]byte(t), []byte(token)) != 1 {
			continue
		}
		if !exp.IsZero() && !now.Before(exp) {
			return &AuthError{Code: CodeAuthFailed, Expired: true, Reason: "the X-Auth-Token has expired; get a new token"}
		}
		return nil
	}
	return authFailed("unknown X-Auth-Token")
}
