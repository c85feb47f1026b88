package fgs

import (
	"context"
	"fmt"
	"time"

	"github.com/huaweicloud/huaweicloud-sdk-go-v3/core"
	iamv3 "github.com/huaweicloud/huaweicloud-sdk-go-v3/services/iam/v3"
	iammodel "github.com/huaweicloud/huaweicloud-sdk-go-v3/services/iam/v3/model"
)

// DefaultAuthURL is IAM's address for a region, as the official provider's
// auth_url defaults to it.
func DefaultAuthURL(region, cloud string) string {
	if cloud == "" {
		cloud = DefaultCloud
	}
	return "https://iam." + region + "." + cloud + "/v3"
}

// IAMEndpoint turns an auth URL such as https://iam.cn-north-4.myhuaweicloud.com/v3
// into the scheme and host the SDK sends IAM requests to (it drops any path).
func IAMEndpoint(authURL string) (string, error) {
	return parseEndpoint(authURL, "v3", func(path string) string {
		return fmt.Sprintf("%q has the path %q; IAM's auth URL is a scheme and host, optionally with /v3, such as https://iam.cn-north-4.myhuaweicloud.com/v3", authURL, path)
	})
}

const opAssumeAgency = "get temporary credentials for an agency"

// assumeAgency asks IAM for the agency's temporary credentials, with the
// configured keys or token, through the same machinery as every call.
func (c *Client) assumeAgency(ctx context.Context) (identity, error) {
	sdkReq := agencyRequest(c.cfg.AssumeRole)
	asked := c.now()
	res, err := c.do(ctx, call{
		op:      opAssumeAgency,
		service: ServiceIAM,
		send: func(hc *core.HcHttpClient, headers map[string]string) (any, error) {
			return hc.SyncInvokeWithExtraHeaders(sdkReq, iamv3.GenReqDefForCreateTemporaryAccessKeyByAgency(), newSDKExchange(), headers)
		},
	})
	if err != nil {
		return identity{}, err
	}
	badAnswer := func(msg string) error {
		return &Error{Op: opAssumeAgency, Service: ServiceIAM, Endpoint: c.iamEndpoint, Kind: KindBadResponse,
			RequestID: res.requestID, Attempts: res.attempts, Message: msg}
	}
	resp, ok := res.value.(*iammodel.CreateTemporaryAccessKeyByAgencyResponse)
	if !ok || resp == nil || resp.Credential == nil {
		return identity{}, badAnswer("IAM's answer had no credential")
	}
	cred := resp.Credential
	if cred.Access == "" || cred.Secret == "" || cred.Securitytoken == "" {
		return identity{}, badAnswer("IAM's answer lacked the access key, secret key or security token")
	}
	expires := c.agencyExpiry(ctx, cred.ExpiresAt, asked)
	if now := c.now(); !expires.After(now) {
		return identity{}, badAnswer(fmt.Sprintf("IAM issued credentials that expire at %s, which has already passed by this machine's clock (%s); check the system clock",
			expires.UTC().Format(time.RFC3339), now.UTC().Format(time.RFC3339)))
	}
	r := c.cfg.AssumeRole
	c.cfg.Logger.Debug(ctx, "Got temporary credentials for the agency", map[string]any{
		"agency_name": r.AgencyName, "domain_name": r.DomainName, "domain_id": r.DomainID,
		"access_key": MaskAccessKey(cred.Access), "expires_at": expires.UTC().Format(time.RFC3339),
	})
	return identity{
		keys:    Credentials{AccessKey: cred.Access, SecretKey: cred.Secret, SecurityToken: cred.Securitytoken},
		expires: expires,
	}, nil
}

// agencyRequest is IAM's request for the agency's temporary credentials.
func agencyRequest(r *AssumeRole) *iammodel.CreateTemporaryAccessKeyByAgencyRequest {
	ar := &iammodel.IdentityAssumerole{AgencyName: r.AgencyName}
	if r.DomainName != "" {
		name := r.DomainName
		ar.DomainName = &name
	}
	if r.DomainID != "" {
		id := r.DomainID
		ar.DomainId = &id
	}
	if r.Duration > 0 {
		seconds := int32(r.Duration / time.Second)
		ar.DurationSeconds = &seconds
	}
	return &iammodel.CreateTemporaryAccessKeyByAgencyRequest{
		Body: &iammodel.CreateTemporaryAccessKeyByAgencyRequestBody{Auth: &iammodel.AgencyAuth{Identity: &iammodel.AgencyAuthIdentity{
			Methods:    []iammodel.AgencyAuthIdentityMethods{iammodel.GetAgencyAuthIdentityMethodsEnum().ASSUME_ROLE},
			AssumeRole: ar,
		}}},
	}
}

// agencyExpiry reads when IAM's credentials expire. An unreadable expiry is
// still usable: the credentials are taken to last the shortest lifetime IAM
// gives, from when they were asked for.
func (c *Client) agencyExpiry(ctx context.Context, expiresAt string, asked time.Time) time.Time {
	if expires, ok := ParseAPITime(expiresAt); ok {
		return expires
	}
	lifetime := c.cfg.AssumeRole.Duration
	if lifetime == 0 {
		lifetime = MinAssumeRoleDuration
	}
	expires := asked.Add(lifetime)
	c.cfg.Logger.Warn(ctx, "IAM gave an unreadable expiry for temporary credentials; assuming their requested lifetime",
		map[string]any{"expires_at": expiresAt, "assumed_expiry": expires.UTC().Format(time.RFC3339)})
	return expires
}
