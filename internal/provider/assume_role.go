package provider

import (
	"fmt"
	"strconv"
	"time"

	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/fgs-tools/terraform-provider-huaweicloud/internal/fgs"
)

// assumeRoleModel is the assume_role block.
type assumeRoleModel struct {
	AgencyName types.String `tfsdk:"agency_name"`
	DomainName types.String `tfsdk:"domain_name"`
	DomainID   types.String `tfsdk:"domain_id"`
	Duration   types.Int64  `tfsdk:"duration"`
}

// assumeRoleAttributeTypes are the block's attributes, for its null value.
var assumeRoleAttributeTypes = map[string]attr.Type{
	"agency_name": types.StringType,
	"domain_name": types.StringType,
	"domain_id":   types.StringType,
	"duration":    types.Int64Type,
}

func (ar assumeRoleModel) hasUnknown() bool {
	return ar.AgencyName.IsUnknown() || ar.DomainName.IsUnknown() || ar.DomainID.IsUnknown() || ar.Duration.IsUnknown()
}

// resolveAssumeRole finds the agency: each of its settings from the block,
// then the environment, then the profile.
func resolveAssumeRole(m providerModel, getenv func(string) string, profile *selectedProfile, c *resolvedConfig, diags *diag.Diagnostics) {
	ar := m.assumeRole()
	agency, agencyFrom := setting(ar.AgencyName, getenv, envAgencyName)
	// The domain is one setting, by name or ID, from the first source that has either.
	domainName, domainFrom := setting(ar.DomainName, getenv)
	domainID, idFrom := setting(ar.DomainID, getenv)
	if domainName == "" && domainID == "" {
		domainName, domainFrom = setting(types.StringNull(), getenv, envAgencyDomain)
		domainID, idFrom = setting(types.StringNull(), getenv, envAgencyDomID)
	}
	if agency == "" && domainName == "" && domainID == "" && profile != nil && profile.AgencyName != "" {
		agency, agencyFrom = profile.AgencyName, profile.label
		domainName, domainID = profile.AgencyDomainName, profile.AgencyDomainID
		domainFrom, idFrom = profile.label, profile.label
	}
	domainFrom = firstNonEmpty(domainFrom, idFrom)
	if agency == "" && domainName == "" && domainID == "" {
		return
	}
	blame := path.Root("assume_role")
	switch {
	case agency == "":
		diags.AddAttributeError(blame.AtName("agency_name"), "Missing Agency Name",
			fmt.Sprintf("The agency's domain is set (from %s) but not the agency's name. Set assume_role.agency_name or %s, "+
				"or unset %s and %s if no agency should be assumed.", domainFrom, envAgencyName, envAgencyDomain, envAgencyDomID))
		return
	case domainName == "" && domainID == "":
		diags.AddAttributeError(blame.AtName("domain_name"), "Missing Agency Domain",
			fmt.Sprintf("The agency %q (from %s) needs the account that owns it: set assume_role.domain_name or assume_role.domain_id, "+
				"or %s or %s.", agency, agencyFrom, envAgencyDomain, envAgencyDomID))
		return
	}
	role := &fgs.AssumeRole{AgencyName: agency, DomainName: domainName, DomainID: domainID}
	switch {
	case !ar.Duration.IsNull():
		role.Duration = time.Duration(ar.Duration.ValueInt64()) * time.Second
	case getenv(envAgencyTTL) != "":
		v := getenv(envAgencyTTL)
		n, err := strconv.Atoi(v)
		if err != nil || n < int(fgs.MinAssumeRoleDuration/time.Second) || n > int(fgs.MaxAssumeRoleDuration/time.Second) {
			diags.AddAttributeError(blame.AtName("duration"), "Invalid "+envAgencyTTL,
				fmt.Sprintf("%s=%q is not a number of seconds from %d to %d.", envAgencyTTL, v,
					int(fgs.MinAssumeRoleDuration/time.Second), int(fgs.MaxAssumeRoleDuration/time.Second)))
			return
		}
		role.Duration = time.Duration(n) * time.Second
	}
	if err := role.Validate(); err != nil {
		diags.AddAttributeError(blame, "Invalid Assume Role", err.Error()+".")
		return
	}
	c.assumeRole, c.agencyFrom = role, agencyFrom
	if c.authMethod == fgs.AuthToken || c.authMethod == fgs.AuthAccessKey {
		c.authMethod = fgs.AuthAssumedAgency
	}
}

// resolveAuthURL finds IAM for assume_role: auth_url, HW_AUTH_URL,
// endpoints.iam, then the region's IAM.
func resolveAuthURL(m providerModel, getenv func(string) string, c *resolvedConfig, diags *diag.Diagnostics) {
	c.authURL, c.authURLFrom = setting(m.AuthURL, getenv, envAuthURL)
	switch {
	case c.authURL != "":
	case c.iamEndpoint != "":
		c.authURL, c.authURLFrom = c.iamEndpoint, "endpoints.iam"
	case c.region != "":
		c.authURL, c.authURLFrom = fgs.DefaultAuthURL(c.region, c.cloud), "the region's IAM"
	default:
		diags.AddAttributeError(path.Root("auth_url"), "Missing Region for IAM",
			fmt.Sprintf("Assuming the agency %q needs IAM's address, which comes from the region: set region (or %s), "+
				"or auth_url (or %s) such as https://iam.cn-north-4.myhuaweicloud.com/v3.", c.assumeRole.AgencyName, envRegion, envAuthURL))
		return
	}
	if _, err := fgs.IAMEndpoint(c.authURL); err != nil {
		at := path.Root("auth_url")
		if c.authURLFrom == "endpoints.iam" {
			at = path.Root("endpoints").AtMapKey(endpointKeyIAM)
		}
		diags.AddAttributeError(at, "Invalid IAM Address", fmt.Sprintf("%s (from %s).", err, c.authURLFrom))
	}
}

func firstNonEmpty(vs ...string) string {
	for _, v := range vs {
		if v != "" {
			return v
		}
	}
	return ""
}
