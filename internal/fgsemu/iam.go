package fgsemu

import (
	"crypto/rand"
	"encoding/json"
	"net/http"
	"time"
)

// Bounds IAM puts on duration_seconds, and its default.
const (
	minAssumeRoleSeconds     = 900
	maxAssumeRoleSeconds     = 43200
	defaultAssumeRoleSeconds = 900
)

// iamError is IAM's error shape, unlike FunctionGraph's.
type iamError struct {
	Error iamErrorDetail `json:"error"`
}

type iamErrorDetail struct {
	Code    string `json:"code"`
	Message string `json:"message"`
	Title   string `json:"title"`
}

type assumeRoleRequest struct {
	Auth *struct {
		Identity *struct {
			Methods    []string `json:"methods"`
			AssumeRole *struct {
				AgencyName      string `json:"agency_name"`
				DomainName      string `json:"domain_name"`
				DomainID        string `json:"domain_id"`
				DurationSeconds *int64 `json:"duration_seconds"`
			} `json:"assume_role"`
		} `json:"identity"`
	} `json:"auth"`
}

type assumeRoleResponse struct {
	Credential struct {
		Access        string `json:"access"`
		Secret        string `json:"secret"`
		SecurityToken string `json:"securitytoken"`
		ExpiresAt     string `json:"expires_at"`
	} `json:"credential"`
}

func badIAMRequest(w http.ResponseWriter, msg string) {
	writeJSON(w, http.StatusBadRequest, iamError{iamErrorDetail{"IAM.0011", "Request parameter is invalid: " + msg, "Bad Request"}})
}

// serveAssumeRole issues temporary credentials for a known agency.
func (e *Emulator) serveAssumeRole(w http.ResponseWriter, body []byte) {
	var req assumeRoleRequest
	if err := json.Unmarshal(body, &req); err != nil {
		badIAMRequest(w, "the body is not the expected JSON")
		return
	}
	if req.Auth == nil || req.Auth.Identity == nil {
		badIAMRequest(w, "auth.identity is required")
		return
	}
	id := req.Auth.Identity
	hasMethod := false
	for _, m := range id.Methods {
		hasMethod = hasMethod || m == "assume_role"
	}
	if !hasMethod || id.AssumeRole == nil {
		badIAMRequest(w, `auth.identity.methods must be ["assume_role"] with auth.identity.assume_role`)
		return
	}
	ar := id.AssumeRole
	if ar.AgencyName == "" || (ar.DomainName == "" && ar.DomainID == "") {
		badIAMRequest(w, "assume_role needs agency_name and domain_name or domain_id")
		return
	}
	seconds := int64(defaultAssumeRoleSeconds)
	if ar.DurationSeconds != nil {
		seconds = *ar.DurationSeconds
		if seconds < minAssumeRoleSeconds || seconds > maxAssumeRoleSeconds {
			badIAMRequest(w, "duration_seconds must be between 900 and 43200")
			return
		}
	}
	if !e.knownAgency(ar.AgencyName, ar.DomainName, ar.DomainID) {
		writeJSON(w, http.StatusForbidden, iamError{iamErrorDetail{"IAM.0002",
			"You do not have permission to assume this agency (unknown agency or domain)", "Forbidden"}})
		return
	}
	ttl := e.opts.TempCredentialTTL
	if ttl <= 0 {
		ttl = time.Duration(seconds) * time.Second
	}
	expires := e.now().Add(ttl)
	var resp assumeRoleResponse
	resp.Credential.Access = randomString(20, upperAlnum)
	resp.Credential.Secret = randomString(40, mixedAlnum)
	resp.Credential.SecurityToken = "emu-sts-" + randomString(160, mixedAlnum)
	resp.Credential.ExpiresAt = expires.UTC().Format("2006-01-02T15:04:05.000000Z")
	e.authMu.Lock()
	e.tempCreds[resp.Credential.Access] = tempCredential{secret: resp.Credential.Secret, token: resp.Credential.SecurityToken, expires: expires}
	e.authMu.Unlock()
	writeJSON(w, http.StatusCreated, resp)
}

func (e *Emulator) knownAgency(name, domainName, domainID string) bool {
	for _, a := range e.opts.Agencies {
		if a.AgencyName != name {
			continue
		}
		if (domainName != "" && a.DomainName == domainName) || (domainID != "" && a.DomainID == domainID) {
			return true
		}
	}
	return false
}

const (
	upperAlnum = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
	mixedAlnum = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"
)

// randomString draws n characters of alphabet from crypto/rand (unbiased enough for an emulator).
func randomString(n int, alphabet string) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	for i := range b {
		b[i] = alphabet[int(b[i])%len(alphabet)]
	}
	return string(b)
}
