package provider

import (
	"fmt"
	"math"
	"net/http"
	"net/url"
	"strconv"
	"time"

	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/fgs-tools/terraform-provider-huaweicloud/internal/fgs"
)

// providerModel is the provider block.
type providerModel struct {
	Region           types.String  `tfsdk:"region"`
	AccessKey        types.String  `tfsdk:"access_key"`
	SecretKey        types.String  `tfsdk:"secret_key"`
	SecurityToken    types.String  `tfsdk:"security_token"`
	Token            types.String  `tfsdk:"token"`
	SharedConfigFile types.String  `tfsdk:"shared_config_file"`
	Profile          types.String  `tfsdk:"profile"`
	AssumeRole       types.Object  `tfsdk:"assume_role"`
	AuthURL          types.String  `tfsdk:"auth_url"`
	SigningAlgorithm types.String  `tfsdk:"signing_algorithm"`
	ProjectID        types.String  `tfsdk:"project_id"`
	Cloud            types.String  `tfsdk:"cloud"`
	Endpoints        types.Map     `tfsdk:"endpoints"`
	Insecure         types.Bool    `tfsdk:"insecure"`
	MaxRetries       types.Number  `tfsdk:"max_retries"`
	MaxRequestsPerS  types.Float64 `tfsdk:"max_requests_per_second"`
}

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

// assumeRole reads the block; every field is null when the block is absent.
func (m providerModel) assumeRole() assumeRoleModel {
	ar := assumeRoleModel{AgencyName: types.StringNull(), DomainName: types.StringNull(), DomainID: types.StringNull(), Duration: types.Int64Null()}
	if m.AssumeRole.IsNull() || m.AssumeRole.IsUnknown() {
		return ar
	}
	attrs := m.AssumeRole.Attributes()
	if v, ok := attrs["agency_name"].(types.String); ok {
		ar.AgencyName = v
	}
	if v, ok := attrs["domain_name"].(types.String); ok {
		ar.DomainName = v
	}
	if v, ok := attrs["domain_id"].(types.String); ok {
		ar.DomainID = v
	}
	if v, ok := attrs["duration"].(types.Int64); ok {
		ar.Duration = v
	}
	return ar
}

func (ar assumeRoleModel) hasUnknown() bool {
	return ar.AgencyName.IsUnknown() || ar.DomainName.IsUnknown() || ar.DomainID.IsUnknown() || ar.Duration.IsUnknown()
}

// Environment variables, named as the official provider names them.
const (
	envRegion        = "HW_REGION_NAME"
	envAccessKey     = "HW_ACCESS_KEY"
	envSecretKey     = "HW_SECRET_KEY"
	envSecurityToken = "HW_SECURITY_TOKEN"
	envProjectID     = "HW_PROJECT_ID"
	envCloud         = "HW_CLOUD"
	envInsecure      = "HW_INSECURE"
	envMaxRetries    = "HW_MAX_RETRIES"
	envMaxRequestsPS = "HW_MAX_REQUESTS_PER_SECOND"
	envAuthToken     = "HW_AUTH_TOKEN"
	envAuthURL       = "HW_AUTH_URL"
	envSharedConfig  = "HW_SHARED_CONFIG_FILE"
	envProfile       = "HW_PROFILE"
	envSigning       = "HW_SIGNING_ALGORITHM"
	envAgencyName    = "HW_ASSUME_ROLE_AGENCY_NAME"
	envAgencyDomain  = "HW_ASSUME_ROLE_DOMAIN_NAME"
	envAgencyDomID   = "HW_ASSUME_ROLE_DOMAIN_ID"
	envAgencyTTL     = "HW_ASSUME_ROLE_DURATION"
	// The API page's SDK samples read these; they are the last fallback.
	envSDKAccessKey = "CLOUD_SDK_AK"
	envSDKSecretKey = "CLOUD_SDK_SK"
)

const (
	defaultMaxRetries = 5
	maxMaxRetries     = 100
	// minMaxRequestsPS and maxMaxRequestsPS bound max_requests_per_second.
	minMaxRequestsPS = 0.01
	maxMaxRequestsPS = 10000
	// endpointKeyFGS is FunctionGraph's key in the endpoints map.
	endpointKeyFGS = "fgs"
	// endpointKeyIAM is IAM's key in the endpoints map, used after auth_url.
	endpointKeyIAM = "iam"
)

// resolvedConfig is the provider block after environment and profile fallbacks.
type resolvedConfig struct {
	region          string
	regionFrom      string
	accessKey       string
	accessKeySource string
	secretKey       string
	secretKeySource string
	securityToken   string
	token           string
	projectID       string
	cloud           string
	fgsEndpoint     string
	iamEndpoint     string
	insecure        bool
	maxRetries      int
	// maxRequestsPS caps the provider's own requests per second; 0 is no cap.
	maxRequestsPS    float64
	ignoredEndpoints []string
	// fgsEndpointFrom names where the provider region's endpoint was set.
	fgsEndpointFrom string
	// regionEndpoints are the SDK's per-region overrides, checked.
	regionEndpoints *fgs.RegionEndpoints
	// proxy is the environment's HTTP proxy choice.
	proxy func(*http.Request) (*url.URL, error)
	// securityTokenFrom names where the security token came from, and
	// ignoredSecurityToken a token variable not used with keys from elsewhere.
	securityTokenFrom    string
	ignoredSecurityToken string

	// authMethod is how FunctionGraph calls authenticate, and credentialsFrom
	// where the token or keys came from ("argument", a variable, a profile).
	authMethod      fgs.AuthMethod
	credentialsFrom string
	// ignoredKeys names keys set beside a token, which wins.
	ignoredKeys string
	// assumeRole is the agency, if any, and agencyFrom where it was named.
	assumeRole *fgs.AssumeRole
	agencyFrom string
	// authURL is IAM's address, set with assumeRole, and authURLFrom its source.
	authURL          string
	authURLFrom      string
	signingAlgorithm string
	// profile is the CLI profile read, as "name" in path; empty if none was.
	profile string
}

// hasUnknown reports whether any argument waits on other resources' values.
func (m providerModel) hasUnknown() bool {
	return m.Region.IsUnknown() || m.AccessKey.IsUnknown() || m.SecretKey.IsUnknown() ||
		m.SecurityToken.IsUnknown() || m.ProjectID.IsUnknown() || m.Cloud.IsUnknown() ||
		m.Endpoints.IsUnknown() || m.Insecure.IsUnknown() || m.MaxRetries.IsUnknown() || m.MaxRequestsPerS.IsUnknown() ||
		m.Token.IsUnknown() || m.SharedConfigFile.IsUnknown() || m.Profile.IsUnknown() ||
		m.AuthURL.IsUnknown() || m.SigningAlgorithm.IsUnknown() || m.AssumeRole.IsUnknown() || m.assumeRole().hasUnknown()
}

// setting returns the argument if set, else the first non-empty environment
// variable, and names where the value came from.
func setting(v types.String, getenv func(string) string, envs ...string) (string, string) {
	if !v.IsNull() && !v.IsUnknown() && v.ValueString() != "" {
		return v.ValueString(), "argument"
	}
	for _, name := range envs {
		if s := getenv(name); s != "" {
			return s, name
		}
	}
	return "", ""
}

// resolve applies environment fallbacks and defaults and checks the result.
// Every error names the argument and the variables that set it.
func resolve(m providerModel, getenv func(string) string) (resolvedConfig, diag.Diagnostics) {
	var diags diag.Diagnostics
	var c resolvedConfig

	c.region, c.regionFrom = setting(m.Region, getenv, envRegion)
	var tokenFrom string
	c.token, tokenFrom = setting(m.Token, getenv, envAuthToken)
	c.projectID, _ = setting(m.ProjectID, getenv, envProjectID)
	c.cloud, _ = setting(m.Cloud, getenv, envCloud)
	if c.cloud == "" {
		c.cloud = fgs.DefaultCloud
	}
	places := keyPlaces(m, getenv)
	keys := firstKeyPlace(places)

	// The CLI's profile is read when chosen, or when nothing else gives credentials.
	profile, profileDiags := readProfile(m, getenv, c.token == "" && keys == nil)
	diags.Append(profileDiags...)
	if profile != nil {
		c.profile = profile.label
		if c.region == "" && profile.Region != "" {
			c.region, c.regionFrom = profile.Region, profile.label
		}
		// A profile's project belongs to the profile's region only.
		if c.projectID == "" && profile.ProjectID != "" && c.region == profile.Region {
			c.projectID = profile.ProjectID
		}
	}

	switch {
	case c.token != "":
		c.authMethod, c.credentialsFrom = fgs.AuthToken, tokenFrom
		// A token wins over keys wherever each comes from, as in the official provider.
		if keys != nil {
			c.ignoredKeys = "access keys from " + keys.label
		}
		keys = nil
	case keys == nil && profile != nil:
		p := profilePlace(profile)
		keys = &p
		takeKeys(places, keys, &c, &diags)
		c.authMethod, c.credentialsFrom = fgs.AuthAccessKey, profile.label
	case keys == nil:
		if !profileDiags.HasError() {
			diags.AddError("Missing Huawei Cloud Credentials",
				"No token, access key or secret key were found.\n\n"+
					"Set access_key and secret_key in the provider block, or the environment variables "+
					envAccessKey+" and "+envSecretKey+" ("+envSDKAccessKey+" and "+envSDKSecretKey+" are read last). "+
					"With temporary credentials, also set security_token or "+envSecurityToken+". "+
					"Or set token (or "+envAuthToken+") to an IAM token, or choose a Huawei Cloud CLI profile with profile (or "+envProfile+") "+
					"and shared_config_file (or "+envSharedConfig+", default "+defaultSharedConfigFile+").\n\n"+
					"This provider never falls back to the ECS metadata server, so a missing key fails here instead of timing out later.")
		}
	default:
		takeKeys(places, keys, &c, &diags)
		c.authMethod, c.credentialsFrom = fgs.AuthAccessKey, c.accessKeySource
	}
	checkCredentialText(c, keys, tokenFrom, &diags)

	resolveAssumeRole(m, getenv, profile, &c, &diags)

	signingFrom := ""
	c.signingAlgorithm, signingFrom = setting(m.SigningAlgorithm, getenv, envSigning)
	if err := fgs.ValidateSigningAlgorithm(c.signingAlgorithm); err != nil {
		diags.AddAttributeError(path.Root("signing_algorithm"), "Invalid Signing Algorithm", fmt.Sprintf("%s (from %s).", err, signingFrom))
	}
	if c.signingAlgorithm == "" {
		c.signingAlgorithm = algorithmDefault
	}

	if err := fgs.ValidateCloud(c.cloud); err != nil {
		diags.AddAttributeError(path.Root("cloud"), "Invalid Cloud Domain", err.Error()+". Set cloud or "+envCloud+" to the domain of the endpoints, such as myhuaweicloud.com.")
	}

	resolveEndpoints(m, getenv, &c, &diags)

	if c.projectID != "" && !fgs.IsProjectID(c.projectID) {
		diags.AddAttributeError(path.Root("project_id"), "Invalid Project ID",
			fmt.Sprintf("project_id %q is not a project ID (32 hexadecimal characters). Copy it from My Credentials > API Credentials in the console.", c.projectID))
	}

	if c.assumeRole != nil {
		resolveAuthURL(m, getenv, &c, &diags)
	}

	c.insecure = m.Insecure.ValueBool()
	if m.Insecure.IsNull() {
		if v := getenv(envInsecure); v != "" {
			b, err := strconv.ParseBool(v)
			if err != nil {
				diags.AddAttributeError(path.Root("insecure"), "Invalid "+envInsecure,
					fmt.Sprintf("%s=%q is not a boolean; use true or false.", envInsecure, v))
			}
			c.insecure = b
		}
	}

	c.maxRetries = defaultMaxRetries
	switch {
	case !m.MaxRetries.IsNull():
		// The schema's validator has refused fractions and the out of range.
		n, _ := m.MaxRetries.ValueBigFloat().Int64()
		c.maxRetries = int(min(max(n, 0), maxMaxRetries))
	case getenv(envMaxRetries) != "":
		v := getenv(envMaxRetries)
		n, err := strconv.Atoi(v)
		if err != nil || n < 0 || n > maxMaxRetries {
			diags.AddAttributeError(path.Root("max_retries"), "Invalid "+envMaxRetries,
				fmt.Sprintf("%s=%q is not a whole number from 0 to %d.", envMaxRetries, v, maxMaxRetries))
		} else {
			c.maxRetries = n
		}
	}
	c.maxRequestsPS = resolveMaxRequestsPerSecond(m.MaxRequestsPerS, getenv, &diags)
	return c, diags
}

// resolveMaxRequestsPerSecond reads the cap from the block, else from the environment.
func resolveMaxRequestsPerSecond(v types.Float64, getenv func(string) string, diags *diag.Diagnostics) float64 {
	if !v.IsNull() {
		return v.ValueFloat64() // the schema's validator has refused the out of range
	}
	s := getenv(envMaxRequestsPS)
	if s == "" {
		return 0
	}
	n, err := strconv.ParseFloat(s, 64)
	if err != nil || math.IsNaN(n) || n < minMaxRequestsPS || n > maxMaxRequestsPS {
		diags.AddAttributeError(path.Root("max_requests_per_second"), "Invalid "+envMaxRequestsPS,
			fmt.Sprintf("%s=%q is not a number from %g to %g.", envMaxRequestsPS, s, minMaxRequestsPS, float64(maxMaxRequestsPS)))
		return 0
	}
	return n
}

// algorithmDefault is the SDK's default signing algorithm.
const algorithmDefault = "HmacSHA256"

func firstNonEmpty(vs ...string) string {
	for _, v := range vs {
		if v != "" {
			return v
		}
	}
	return ""
}

// selectedProfile is the CLI profile in use and how logs and errors name it.
type selectedProfile struct {
	cliProfile
	label string // profile "name" in /path/config.json
}

// readProfile reads the CLI profile when shared_config_file or profile is set
// (then the file must exist), or when needed is true (then a missing default
// file just means there is no profile). Errors name the file and the profile.
func readProfile(m providerModel, getenv func(string) string, needed bool) (*selectedProfile, diag.Diagnostics) {
	var diags diag.Diagnostics
	file, fileFrom := setting(m.SharedConfigFile, getenv, envSharedConfig)
	name, nameFrom := setting(m.Profile, getenv, envProfile)
	chosen := file != "" || name != ""
	if !chosen && !needed {
		return nil, nil
	}
	if file == "" {
		file, fileFrom = defaultSharedConfigFile, "the default location"
	}
	blame := func(perr *profileError) {
		switch {
		case perr.setting == "profile" && nameFrom == "argument":
			diags.AddAttributeError(path.Root("profile"), perr.summary, perr.detail)
		case perr.setting != "profile" && fileFrom == "argument":
			diags.AddAttributeError(path.Root("shared_config_file"), perr.summary, perr.detail)
		default:
			diags.AddError(perr.summary, perr.detail)
		}
	}
	expanded, err := expandHome(file, getenv)
	if err != nil {
		if chosen {
			blame(&profileError{summary: "Cannot Read Shared Config File",
				detail: fmt.Sprintf("The shared config file %s (from %s) cannot be found: %s. Set shared_config_file (or %s) to an absolute path.", file, fileFrom, err, envSharedConfig)})
		}
		return nil, diags
	}
	cfg, found, perr := readSharedConfig(expanded, fileFrom)
	switch {
	case perr != nil:
		blame(perr)
		return nil, diags
	case !found && !chosen:
		return nil, diags
	case !found:
		detail := fmt.Sprintf("The shared config file %s (from %s) does not exist.", expanded, fileFrom)
		if name != "" && file == defaultSharedConfigFile {
			detail = fmt.Sprintf("The profile %q (from %s) was chosen, but the shared config file %s does not exist. "+
				"Set shared_config_file (or %s) to the Huawei Cloud CLI's config.json.", name, nameFrom, expanded, envSharedConfig)
		}
		blame(&profileError{summary: "Shared Config File Not Found", detail: detail})
		return nil, diags
	}
	p, perr := selectProfile(cfg, expanded, name, nameFrom)
	if perr == nil {
		perr = checkProfileKeys(p, expanded)
	}
	if perr != nil {
		blame(perr)
		return nil, diags
	}
	return &selectedProfile{cliProfile: p, label: fmt.Sprintf("profile %q in %s", p.Name, expanded)}, diags
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

// logFields say where every setting came from, for the one DEBUG line
// Configure writes; no secret is among them, and the access key is masked.
func (c resolvedConfig) logFields() map[string]any {
	f := map[string]any{
		"region": c.region, "region_from": c.regionFrom, "cloud": c.cloud, "fgs_endpoint": c.fgsEndpoint,
		"max_retries": c.maxRetries, "max_requests_per_second": c.maxRequestsPS, "insecure": c.insecure,
		"auth_method": string(c.authMethod), "credentials_from": c.credentialsFrom, "signing_algorithm": c.signingAlgorithm,
	}
	optional := map[string]string{"profile": c.profile, "ignored_credentials": c.ignoredKeys,
		"security_token_from": c.securityTokenFrom, "ignored_security_token": c.ignoredSecurityToken, "fgs_endpoint_from": c.fgsEndpointFrom}
	if c.accessKey != "" {
		optional["access_key"] = fgs.MaskAccessKey(c.accessKey)
	}
	if c.assumeRole != nil {
		optional["agency_name"], optional["agency_from"] = c.assumeRole.AgencyName, c.agencyFrom
		optional["agency_domain_name"], optional["agency_domain_id"] = c.assumeRole.DomainName, c.assumeRole.DomainID
		optional["auth_url"], optional["auth_url_from"] = c.authURL, c.authURLFrom
	}
	for k, v := range optional {
		if v != "" {
			f[k] = v
		}
	}
	return f
}
