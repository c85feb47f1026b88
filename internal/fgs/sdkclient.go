package fgs

import (
	"crypto/sha256"
	"fmt"
	"time"

	"github.com/huaweicloud/huaweicloud-sdk-go-v3/core"
	"github.com/huaweicloud/huaweicloud-sdk-go-v3/core/auth"
	"github.com/huaweicloud/huaweicloud-sdk-go-v3/core/auth/basic"
	"github.com/huaweicloud/huaweicloud-sdk-go-v3/core/auth/signer/algorithm"
	"github.com/huaweicloud/huaweicloud-sdk-go-v3/core/config"
	fgsv2 "github.com/huaweicloud/huaweicloud-sdk-go-v3/services/functiongraph/v2"
	iamv3 "github.com/huaweicloud/huaweicloud-sdk-go-v3/services/iam/v3"
)

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
