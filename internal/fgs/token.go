package fgs

import (
	"reflect"

	"github.com/huaweicloud/huaweicloud-sdk-go-v3/core/auth"
	"github.com/huaweicloud/huaweicloud-sdk-go-v3/core/impl"
	"github.com/huaweicloud/huaweicloud-sdk-go-v3/core/request"
)

// Headers a token-authenticated request carries instead of a signature.
const (
	headerAuthToken = "X-Auth-Token"
	headerProjectID = "X-Project-Id"
)

// tokenCredential authenticates with an IAM token in X-Auth-Token, as the
// API reference documents; the SDK only ever signs, so it has no such credential.
type tokenCredential struct {
	token     string
	projectID string
}

var _ auth.ICredential = (*tokenCredential)(nil)

// tokenCredentialType is the name the SDK's client builders check a
// credential's type against (HcHttpClientBuilder.CredentialsType).
var tokenCredentialType = reflect.TypeOf(tokenCredential{}).String()

// ProcessAuthParams would look the project up with IAM; the project is always given.
func (t *tokenCredential) ProcessAuthParams(*impl.DefaultHttpClient, string) (auth.ICredential, error) {
	return t, nil
}

// ProcessAuthRequest fills {project_id} in the path and adds the token.
func (t *tokenCredential) ProcessAuthRequest(_ *impl.DefaultHttpClient, req *request.DefaultHttpRequest) (*request.DefaultHttpRequest, error) {
	b := req.Builder()
	if t.projectID != "" {
		b.AddAutoFilledPathParam("project_id", t.projectID).AddHeaderParam(headerProjectID, t.projectID)
	}
	b.AddHeaderParam(headerAuthToken, t.token)
	return b.Build(), nil
}
