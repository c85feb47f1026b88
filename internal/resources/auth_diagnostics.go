package resources

import (
	"fmt"

	"github.com/fgs-tools/terraform-provider-huaweicloud/internal/fgs"
)

// explainIAM explains a call that failed before reaching FunctionGraph,
// because IAM did not issue the assumed agency's temporary credentials.
func explainIAM(e *fgs.Error, cc callContext) (title, why, todo string) {
	const nothingSent = " Nothing was sent to FunctionGraph."
	const checkIAM = "Check auth_url (HW_AUTH_URL), or endpoints.iam, or region and cloud, which make IAM's address by default."
	switch {
	case e.Kind == fgs.KindTimeout:
		limit := "its timeout"
		if cc.timeout > 0 {
			limit = fmt.Sprintf("its %s of %s", cc.timeoutSetting, cc.timeout)
		}
		return "Timed Out", fmt.Sprintf("The call did not complete within %s: IAM's temporary credentials for the agency had not come.", limit) + nothingSent,
			"IAM may be slow or unreachable. " + checkIAM
	case e.Kind == fgs.KindCanceled:
		return "Interrupted", "Terraform was interrupted while waiting for IAM's temporary credentials for the agency." + nothingSent, "Apply again."
	case e.Kind == fgs.KindConnection:
		return "Cannot Reach IAM", "No answer came from IAM: " + e.Message + "." + nothingSent, checkIAM
	case e.Kind == fgs.KindBadResponse:
		return "Unreadable IAM Answer", "IAM answered, but not with usable temporary credentials: " + e.Message + "." + nothingSent,
			"A proxy or gateway may have answered instead of IAM. " + checkIAM
	case e.Kind == fgs.KindAPI && e.StatusCode == 401:
		return "Cannot Assume Agency", "IAM did not accept the credentials the provider asked it with." + nothingSent,
			"The token or access keys the provider is configured with ask IAM for the agency's credentials: check them as for any call " +
				"(token or HW_AUTH_TOKEN; access_key and secret_key or HW_ACCESS_KEY and HW_SECRET_KEY; or the profile's keys), and the system clock."
	case e.Kind == fgs.KindAPI && e.StatusCode == 403:
		return "Cannot Assume Agency", "IAM refused to issue temporary credentials for the agency." + nothingSent,
			"Check assume_role.agency_name and assume_role.domain_name or domain_id (or HW_ASSUME_ROLE_AGENCY_NAME, HW_ASSUME_ROLE_DOMAIN_NAME, HW_ASSUME_ROLE_DOMAIN_ID): " +
				"the agency must exist in that account and be delegated to the account of the provider's credentials."
	case e.Kind == fgs.KindAPI && (e.StatusCode == 429 || e.IsServerError()):
		return "IAM Unavailable", fmt.Sprintf("IAM failed with HTTP %d. %s", e.StatusCode, stoppedText(e)) + nothingSent,
			"Apply again later. If it persists, open a ticket with Huawei Cloud quoting the X-Request-Id below."
	case e.Kind == fgs.KindAPI:
		return "Cannot Assume Agency", fmt.Sprintf("IAM rejected the request for the agency's temporary credentials with HTTP %d.", e.StatusCode) + nothingSent,
			"Read the error code and message below. Check assume_role (agency_name, domain_name or domain_id, and duration, from 900 to 43200 seconds)."
	}
	return "Cannot Assume Agency", "Getting the agency's temporary credentials failed: " + e.Message + "." + nothingSent,
		"This is a bug in the provider or the Huawei Cloud SDK; please report it with this message."
}

// authAdvice says what to check when FunctionGraph refuses credentials,
// for the way the provider authenticated.
func authAdvice(method fgs.AuthMethod) string {
	switch method {
	case fgs.AuthToken:
		return "Check token (or HW_AUTH_TOKEN): IAM tokens expire 24 hours after they are issued, and a token scoped to another project or account is refused. Get a new token."
	case fgs.AuthAssumedAgency:
		return "The agency's temporary credentials were refused, even after renewing them. Check that the system clock is within 15 minutes of the real time, " +
			"and the agency in assume_role (or HW_ASSUME_ROLE_*)."
	}
	return "Check access_key and secret_key (or HW_ACCESS_KEY and HW_SECRET_KEY, or the profile's keys): the key may be wrong, disabled or deleted. " +
		"Temporary keys also need security_token (HW_SECURITY_TOKEN) and expire. A system clock more than 15 minutes off also breaks signatures. " +
		"EcdsaP256SHA256 and SM2SM3 signatures (signing_algorithm) are accepted only where the endpoint supports them."
}
