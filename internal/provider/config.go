package provider

import (
	"fmt"
	"math"
	"net/http"
	"net/url"
	"strconv"

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
// Every error names the argument and the variables that set it. Each step
// reads what the steps before it found, and errors come in this order.
func resolve(m providerModel, getenv func(string) string) (resolvedConfig, diag.Diagnostics) {
	var diags diag.Diagnostics
	var c resolvedConfig
	profile := resolveCredentials(m, getenv, &c, &diags)
	resolveRegion(m, getenv, profile, &c)
	resolveAssumeRole(m, getenv, profile, &c, &diags)
	resolveSigningAlgorithm(m, getenv, &c, &diags)
	checkCloud(c, &diags)
	resolveEndpoints(m, getenv, &c, &diags)
	checkProjectID(c, &diags)
	if c.assumeRole != nil {
		resolveAuthURL(m, getenv, &c, &diags)
	}
	resolveInsecure(m, getenv, &c, &diags)
	resolveMaxRetries(m, getenv, &c, &diags)
	c.maxRequestsPS = resolveMaxRequestsPerSecond(m.MaxRequestsPerS, getenv, &diags)
	return c, diags
}

// resolveRegion finds the region, its project and the cloud domain: the
// block, then the environment, then the CLI profile.
func resolveRegion(m providerModel, getenv func(string) string, profile *selectedProfile, c *resolvedConfig) {
	c.region, c.regionFrom = setting(m.Region, getenv, envRegion)
	c.projectID, _ = setting(m.ProjectID, getenv, envProjectID)
	c.cloud, _ = setting(m.Cloud, getenv, envCloud)
	c.cloud = fgs.NormalizeCloud(c.cloud)
	if c.cloud == "" {
		c.cloud = fgs.DefaultCloud
	}
	if profile == nil {
		return
	}
	if c.region == "" && profile.Region != "" {
		c.region, c.regionFrom = profile.Region, profile.label
	}
	// A profile's project belongs to the profile's region only.
	if c.projectID == "" && profile.ProjectID != "" && c.region == profile.Region {
		c.projectID = profile.ProjectID
	}
}

// checkCloud refuses a cloud domain no endpoint can be built on.
func checkCloud(c resolvedConfig, diags *diag.Diagnostics) {
	if err := fgs.ValidateCloud(c.cloud); err != nil {
		diags.AddAttributeError(path.Root("cloud"), "Invalid Cloud Domain", err.Error()+". Set cloud or "+envCloud+" to the domain of the endpoints, such as myhuaweicloud.com.")
	}
}

// checkProjectID refuses a project ID from any source that is not one.
func checkProjectID(c resolvedConfig, diags *diag.Diagnostics) {
	if c.projectID != "" && !fgs.IsProjectID(c.projectID) {
		diags.AddAttributeError(path.Root("project_id"), "Invalid Project ID",
			fmt.Sprintf("project_id %q is not a project ID (32 hexadecimal characters). Copy it from My Credentials > API Credentials in the console.", c.projectID))
	}
}

// resolveSigningAlgorithm reads how access keys sign requests, the SDK's default if unset.
func resolveSigningAlgorithm(m providerModel, getenv func(string) string, c *resolvedConfig, diags *diag.Diagnostics) {
	signingFrom := ""
	c.signingAlgorithm, signingFrom = setting(m.SigningAlgorithm, getenv, envSigning)
	if err := fgs.ValidateSigningAlgorithm(c.signingAlgorithm); err != nil {
		diags.AddAttributeError(path.Root("signing_algorithm"), "Invalid Signing Algorithm", fmt.Sprintf("%s (from %s).", err, signingFrom))
	}
	if c.signingAlgorithm == "" {
		c.signingAlgorithm = algorithmDefault
	}
}

// resolveInsecure reads insecure, else HW_INSECURE as a boolean.
func resolveInsecure(m providerModel, getenv func(string) string, c *resolvedConfig, diags *diag.Diagnostics) {
	c.insecure = m.Insecure.ValueBool()
	if !m.Insecure.IsNull() {
		return
	}
	if v := getenv(envInsecure); v != "" {
		b, err := strconv.ParseBool(v)
		if err != nil {
			diags.AddAttributeError(path.Root("insecure"), "Invalid "+envInsecure,
				fmt.Sprintf("%s=%q is not a boolean; use true or false.", envInsecure, v))
		}
		c.insecure = b
	}
}

// resolveMaxRetries reads max_retries, else HW_MAX_RETRIES, else the default.
func resolveMaxRetries(m providerModel, getenv func(string) string, c *resolvedConfig, diags *diag.Diagnostics) {
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
