package provider

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/fgs-tools/terraform-provider-huaweicloud/internal/fgs"
)

// providerModel is the provider block.
type providerModel struct {
	Region        types.String `tfsdk:"region"`
	AccessKey     types.String `tfsdk:"access_key"`
	SecretKey     types.String `tfsdk:"secret_key"`
	SecurityToken types.String `tfsdk:"security_token"`
	ProjectID     types.String `tfsdk:"project_id"`
	Cloud         types.String `tfsdk:"cloud"`
	Endpoints     types.Map    `tfsdk:"endpoints"`
	Insecure      types.Bool   `tfsdk:"insecure"`
	MaxRetries    types.Int64  `tfsdk:"max_retries"`
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
	// The API page's SDK samples read these; they are the last fallback.
	envSDKAccessKey = "CLOUD_SDK_AK"
	envSDKSecretKey = "CLOUD_SDK_SK"
)

const (
	defaultMaxRetries = 5
	maxMaxRetries     = 100
	// endpointKeyFGS is FunctionGraph's key in the endpoints map.
	endpointKeyFGS = "fgs"
)

// resolvedConfig is the provider block after environment fallbacks.
type resolvedConfig struct {
	region           string
	accessKey        string
	accessKeySource  string
	secretKey        string
	secretKeySource  string
	securityToken    string
	projectID        string
	cloud            string
	fgsEndpoint      string
	insecure         bool
	maxRetries       int
	ignoredEndpoints []string
}

// hasUnknown reports whether any argument waits on other resources' values.
func (m providerModel) hasUnknown() bool {
	return m.Region.IsUnknown() || m.AccessKey.IsUnknown() || m.SecretKey.IsUnknown() ||
		m.SecurityToken.IsUnknown() || m.ProjectID.IsUnknown() || m.Cloud.IsUnknown() ||
		m.Endpoints.IsUnknown() || m.Insecure.IsUnknown() || m.MaxRetries.IsUnknown()
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

	c.region, _ = setting(m.Region, getenv, envRegion)
	c.accessKey, c.accessKeySource = setting(m.AccessKey, getenv, envAccessKey, envSDKAccessKey)
	c.secretKey, c.secretKeySource = setting(m.SecretKey, getenv, envSecretKey, envSDKSecretKey)
	c.securityToken, _ = setting(m.SecurityToken, getenv, envSecurityToken)
	c.projectID, _ = setting(m.ProjectID, getenv, envProjectID)
	c.cloud, _ = setting(m.Cloud, getenv, envCloud)
	if c.cloud == "" {
		c.cloud = fgs.DefaultCloud
	}

	switch {
	case c.accessKey == "" && c.secretKey == "":
		diags.AddError("Missing Huawei Cloud Credentials",
			"No access key and secret key were found.\n\n"+
				"Set access_key and secret_key in the provider block, or the environment variables "+
				envAccessKey+" and "+envSecretKey+" ("+envSDKAccessKey+" and "+envSDKSecretKey+" are read last). "+
				"With temporary credentials, also set security_token or "+envSecurityToken+".\n\n"+
				"This provider never falls back to the ECS metadata server, so a missing key fails here instead of timing out later.")
	case c.secretKey == "":
		diags.AddAttributeError(path.Root("secret_key"), "Missing Secret Key",
			fmt.Sprintf("An access key is set (from %s) but no secret key. Set secret_key in the provider block or %s in the environment.",
				c.accessKeySource, envSecretKey))
	case c.accessKey == "":
		diags.AddAttributeError(path.Root("access_key"), "Missing Access Key",
			fmt.Sprintf("A secret key is set (from %s) but no access key. Set access_key in the provider block or %s in the environment.",
				c.secretKeySource, envAccessKey))
	}

	if err := fgs.ValidateCloud(c.cloud); err != nil {
		diags.AddAttributeError(path.Root("cloud"), "Invalid Cloud Domain", err.Error()+". Set cloud or "+envCloud+" to the domain of the endpoints, such as myhuaweicloud.com.")
	}

	if !m.Endpoints.IsNull() && !m.Endpoints.IsUnknown() {
		for key, v := range m.Endpoints.Elements() {
			s, ok := v.(types.String)
			if !ok || s.IsNull() || s.IsUnknown() {
				continue
			}
			if key != endpointKeyFGS {
				c.ignoredEndpoints = append(c.ignoredEndpoints, key)
				continue
			}
			if err := fgs.ValidateEndpointURL(s.ValueString()); err != nil {
				diags.AddAttributeError(path.Root("endpoints").AtMapKey(key), "Invalid FunctionGraph Endpoint", err.Error())
				continue
			}
			c.fgsEndpoint = strings.TrimRight(s.ValueString(), "/")
		}
	}

	if c.region != "" && c.fgsEndpoint == "" && c.cloud == fgs.DefaultCloud {
		if _, err := fgs.KnownRegion(c.region); err != nil {
			diags.AddAttributeError(path.Root("region"), "Unknown Region",
				fmt.Sprintf("%s.\n\nSet region (or %s) to one of these, or set endpoints.fgs to reach a region the SDK does not know yet.", err, envRegion))
		}
	}

	if c.projectID != "" && !fgs.IsProjectID(c.projectID) {
		diags.AddAttributeError(path.Root("project_id"), "Invalid Project ID",
			fmt.Sprintf("project_id %q is not a project ID (32 hexadecimal characters). Copy it from My Credentials > API Credentials in the console.", c.projectID))
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
		c.maxRetries = int(m.MaxRetries.ValueInt64())
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
	return c, diags
}
