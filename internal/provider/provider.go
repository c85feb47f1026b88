package provider

import (
	"context"
	"os"
	"strings"
	"time"

	"github.com/hashicorp/terraform-plugin-framework-validators/float64validator"
	"github.com/hashicorp/terraform-plugin-framework-validators/int64validator"
	"github.com/hashicorp/terraform-plugin-framework-validators/mapvalidator"
	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/action"
	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/ephemeral"
	"github.com/hashicorp/terraform-plugin-framework/function"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/provider"
	"github.com/hashicorp/terraform-plugin-framework/provider/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-log/tflog"

	"github.com/fgs-tools/terraform-provider-huaweicloud/internal/fgs"
	"github.com/fgs-tools/terraform-provider-huaweicloud/internal/resources"
	"github.com/fgs-tools/terraform-provider-huaweicloud/internal/validators"
)

var (
	_ provider.Provider                   = (*huaweicloudProvider)(nil)
	_ provider.ProviderWithActions        = (*huaweicloudProvider)(nil)
	_ provider.ProviderWithFunctions      = (*huaweicloudProvider)(nil)
	_ provider.ProviderWithValidateConfig = (*huaweicloudProvider)(nil)
)

// Option adjusts the provider for tests and embedding.
type Option func(*huaweicloudProvider)

// WithRetryPolicy replaces the backoff timing (not max_retries, which stays
// the user's); tests use it to retry in milliseconds.
func WithRetryPolicy(p fgs.RetryPolicy) Option {
	return func(hp *huaweicloudProvider) { hp.retry = &p }
}

// WithStopPollPolicy replaces the pace of wait_for_stop's status queries;
// tests use it to poll in milliseconds.
func WithStopPollPolicy(p fgs.PollPolicy) Option {
	return func(hp *huaweicloudProvider) { hp.stopPoll = p }
}

// WithGetenv replaces os.Getenv, so tests can set variables per provider.
func WithGetenv(getenv func(string) string) Option {
	return func(hp *huaweicloudProvider) { hp.getenv = getenv }
}

// New returns the provider factory providerserver.Serve wants.
func New(version string, opts ...Option) func() provider.Provider {
	return func() provider.Provider {
		p := &huaweicloudProvider{version: version, getenv: os.Getenv}
		for _, opt := range opts {
			opt(p)
		}
		return p
	}
}

type huaweicloudProvider struct {
	version  string
	retry    *fgs.RetryPolicy
	stopPoll fgs.PollPolicy
	getenv   func(string) string
}

func (p *huaweicloudProvider) Metadata(_ context.Context, _ provider.MetadataRequest, resp *provider.MetadataResponse) {
	resp.TypeName = "huaweicloud"
	resp.Version = p.version
}

func (p *huaweicloudProvider) Schema(_ context.Context, _ provider.SchemaRequest, resp *provider.SchemaResponse) {
	resp.Schema = schema.Schema{
		MarkdownDescription: "Cancels asynchronous Huawei Cloud FunctionGraph invocations. " +
			"Configured like the official `huaweicloud/huaweicloud` provider: the same arguments and `HW_*` environment variables. " +
			"An empty string counts as unset for every string argument, so `project_id = var.project_id` with a default of `\"\"` " +
			"falls back to the environment as if it were not written.",
		Attributes: map[string]schema.Attribute{
			"region": schema.StringAttribute{
				Optional: true,
				MarkdownDescription: "The default region, such as `cn-north-4`. A function URN names its own region, which wins. " +
					"Environment: `HW_REGION_NAME`; an empty string counts as unset, as in the official provider.",
				Validators: []validator.String{validators.RegionOrEmpty()},
			},
			"access_key": schema.StringAttribute{
				Optional: true,
				MarkdownDescription: "The access key (AK). Environment: `HW_ACCESS_KEY`, then `CLOUD_SDK_AK`. " +
					"Credentials are required: access keys, a `token`, or a CLI profile. The provider never falls back to the ECS metadata server. " +
					"The keys are taken as a pair, with their `security_token`, from the first place that sets either key: this block, the environment, the profile.",
				Validators: []validator.String{validators.Credential("Invalid Access Key")},
			},
			"secret_key": schema.StringAttribute{
				Optional:            true,
				Sensitive:           true,
				MarkdownDescription: "The secret key (SK). Environment: `HW_SECRET_KEY`, then `CLOUD_SDK_SK`.",
				Validators:          []validator.String{validators.Credential("Invalid Secret Key")},
			},
			"security_token": schema.StringAttribute{
				Optional:  true,
				Sensitive: true,
				MarkdownDescription: "The security token that comes with temporary access keys, used only with the keys of the same place: " +
					"this block's, or the environment's (`HW_SECURITY_TOKEN`).",
				Validators: []validator.String{validators.Credential("Invalid Security Token")},
			},
			"token": schema.StringAttribute{
				Optional:  true,
				Sensitive: true,
				MarkdownDescription: "An IAM token, sent in `X-Auth-Token` instead of signing each request with access keys. " +
					"When set (here or in the environment) it wins over access keys set elsewhere, as in the official provider; " +
					"a token and keys both in this block are an error. " +
					"IAM tokens expire after 24 hours. Environment: `HW_AUTH_TOKEN`.",
				Validators: []validator.String{validators.Credential("Invalid Token")},
			},
			"shared_config_file": schema.StringAttribute{
				Optional: true,
				MarkdownDescription: "The Huawei Cloud CLI's configuration file (`hcloud configure`), whose profile gives keys, region and project " +
					"when no token or access keys are set in the provider block or the environment. It is read when this or `profile` is set, " +
					"or when no credentials are set otherwise. Defaults to `~/.hcloud/config.json`. Environment: `HW_SHARED_CONFIG_FILE`.",
			},
			"profile": schema.StringAttribute{
				Optional: true,
				MarkdownDescription: "The profile of `shared_config_file` to use. Defaults to the file's `current` profile. " +
					"Environment: `HW_PROFILE`.",
			},
			"auth_url": schema.StringAttribute{
				Optional: true,
				MarkdownDescription: "IAM's address, asked for an agency's temporary credentials when `assume_role` is set. " +
					"Defaults to `endpoints.iam`, then `https://iam.<region>.<cloud>/v3`. Environment: `HW_AUTH_URL`.",
			},
			"signing_algorithm": schema.StringAttribute{
				Optional: true,
				MarkdownDescription: "How requests are signed with access keys: `HmacSHA256` (the default), `HmacSM3`, " +
					"`EcdsaP256SHA256` or `SM2SM3`. Environment: `HW_SIGNING_ALGORITHM`.",
				Validators: []validator.String{unlessEmpty(stringvalidator.OneOf(fgs.SigningAlgorithms...))},
			},
			"project_id": schema.StringAttribute{
				Optional: true,
				MarkdownDescription: "The project ID of the provider's `region`. A function URN carries its own project ID; " +
					"when its region is this `region`, the two must agree. Environment: `HW_PROJECT_ID`.",
				Validators: []validator.String{unlessEmpty(validators.ProjectID())},
			},
			"cloud": schema.StringAttribute{
				Optional: true,
				MarkdownDescription: "The endpoint domain. Defaults to `myhuaweicloud.com`; endpoints are `https://functiongraph.<region>.<cloud>`. " +
					"Read in any case and with or without a final dot, as DNS does. Environment: `HW_CLOUD`.",
			},
			"endpoints": schema.MapAttribute{
				Optional:    true,
				ElementType: types.StringType,
				MarkdownDescription: "Endpoint overrides by service. This provider reads the `fgs` key (FunctionGraph), " +
					"e.g. `{ fgs = \"https://functiongraph.cn-north-4.myhuaweicloud.com\" }`, and `iam` for `assume_role` when `auth_url` is not set, " +
					"both in any case. An endpoint is a scheme and host only; `endpoints.fgs` wins over the SDK's " +
					"`HUAWEICLOUD_SDK_REGION_FUNCTIONGRAPH_<REGION>` variables and `regions.yaml`, which are checked alike. " +
					"Other keys of the official provider are accepted, for shared configurations, and ignored; any other key (such as `functiongraph`) " +
					"is an error at validate, since ignoring a misspelt `fgs` would send requests to the default endpoint. " +
					"An empty value is refused too, rather than read as unset: it would send requests to the default endpoint though the key names one; " +
					"for an optional override, leave the entry out (a variable's default can be `null`).",
				Validators: []validator.Map{mapvalidator.ValueStringsAre(stringvalidator.LengthAtLeast(1))},
			},
			"insecure": schema.BoolAttribute{
				Optional:            true,
				MarkdownDescription: "Skip TLS certificate verification. For test environments only. Defaults to `false`. Environment: `HW_INSECURE`.",
			},
			"max_retries": schema.NumberAttribute{
				Optional: true,
				MarkdownDescription: "How many times a request is retried after a 5xx or a connection failure, " +
					"with exponential backoff and jitter, never past the operation's timeout. Defaults to `5`. Environment: `HW_MAX_RETRIES`. " +
					"A throttled request (`429`) does not count: it waits for the quota and is sent again, for as long as the operation's timeout allows.",
				Validators: []validator.Number{validators.WholeNumberBetween(0, maxMaxRetries)},
			},
			"max_requests_per_second": schema.Float64Attribute{
				Optional: true,
				MarkdownDescription: "The most requests per second this provider sends, whatever FunctionGraph's quota allows, " +
					"for credentials whose API Gateway quota other workloads share; from 0.01 to 10000, fractions allowed. " +
					"Unset, requests go as fast as the quota allows: the provider learns it from FunctionGraph's `429` answers and paces every request " +
					"of the apply to it. Environment: `HW_MAX_REQUESTS_PER_SECOND`.",
				Validators: []validator.Float64{float64validator.Between(minMaxRequestsPS, maxMaxRequestsPS)},
			},
		},
		Blocks: map[string]schema.Block{
			"assume_role": schema.SingleNestedBlock{
				MarkdownDescription: "Act as an IAM agency: the provider's token or access keys ask IAM for the agency's temporary credentials, " +
					"which every call then uses. They are requested once, shared by all calls, and renewed before they expire, however long the apply. " +
					"Each argument falls back to its environment variable, so the agency can be set without this block.",
				Attributes: map[string]schema.Attribute{
					"agency_name": schema.StringAttribute{
						Optional:            true,
						MarkdownDescription: "The agency's name. Environment: `HW_ASSUME_ROLE_AGENCY_NAME`.",
					},
					"domain_name": schema.StringAttribute{
						Optional: true,
						MarkdownDescription: "The name of the account (domain) that owns the agency. This or `domain_id` is required. " +
							"Environment: `HW_ASSUME_ROLE_DOMAIN_NAME`.",
					},
					"domain_id": schema.StringAttribute{
						Optional:            true,
						MarkdownDescription: "The ID of the account (domain) that owns the agency. Environment: `HW_ASSUME_ROLE_DOMAIN_ID`.",
					},
					"duration": schema.Int64Attribute{
						Optional: true,
						MarkdownDescription: "How long the temporary credentials last, in seconds, from 900 to 43200. " +
							"Defaults to IAM's default (900). Environment: `HW_ASSUME_ROLE_DURATION`.",
						Validators: []validator.Int64{int64validator.Between(int64(fgs.MinAssumeRoleDuration/time.Second), int64(fgs.MaxAssumeRoleDuration/time.Second))},
					},
				},
			},
		},
	}
}

// ValidateConfig checks what the block alone can tell at validate time;
// environment variables are only read in Configure.
func (p *huaweicloudProvider) ValidateConfig(ctx context.Context, req provider.ValidateConfigRequest, resp *provider.ValidateConfigResponse) {
	var m providerModel
	resp.Diagnostics.Append(req.Config.Get(ctx, &m)...)
	if resp.Diagnostics.HasError() {
		return
	}
	if isSet(m.AuthURL) {
		if _, err := fgs.IAMEndpoint(m.AuthURL.ValueString()); err != nil {
			resp.Diagnostics.AddAttributeError(path.Root("auth_url"), "Invalid IAM Address", err.Error()+".")
		}
	}
	// One error rather than the validators' ConflictsWith: that counts an
	// empty string as set (a shared configuration's `access_key = var.ak`
	// with a default of "" is unset here, as everywhere in this provider),
	// and it would give one error per key without saying what to do. Not a
	// warning: Terraform validates the block in each of its walks, so a
	// warning would be printed three times for one apply. On the block, not
	// on an attribute, so Terraform's source snippet shows no secret.
	if isSet(m.Token) && (isSet(m.AccessKey) || isSet(m.SecretKey)) {
		resp.Diagnostics.AddError("Token and Access Keys Both Set",
			"The provider block sets both token and access keys, but a request is authenticated one way only. "+
				"Remove access_key and secret_key to send the token, or remove token to sign requests with the keys. "+
				"(A token in HW_AUTH_TOKEN still wins over keys in the block, and a token in the block over keys in the environment.)")
	}
	checkEndpointKeys(m.Endpoints, &resp.Diagnostics)
	fgsKeys, iamKeys, _, _ := endpointEntries(m.Endpoints)
	for _, e := range fgsKeys {
		if _, err := fgs.NormalizeEndpoint(e.value); err != nil {
			resp.Diagnostics.AddAttributeError(path.Root("endpoints").AtMapKey(e.key), "Invalid FunctionGraph Endpoint", err.Error()+".")
		}
	}
	for _, e := range iamKeys {
		if _, err := fgs.IAMEndpoint(e.value); err != nil {
			resp.Diagnostics.AddAttributeError(path.Root("endpoints").AtMapKey(e.key), "Invalid IAM Address", err.Error()+".")
		}
	}
}

// unlessEmpty applies v to a non-empty value only: an empty string is unset.
func unlessEmpty(v validator.String) validator.String { return emptyIsUnset{v} }

type emptyIsUnset struct{ validator.String }

func (v emptyIsUnset) ValidateString(ctx context.Context, req validator.StringRequest, resp *validator.StringResponse) {
	if req.ConfigValue.IsNull() || req.ConfigValue.IsUnknown() || req.ConfigValue.ValueString() == "" {
		return
	}
	v.String.ValidateString(ctx, req, resp)
}

// isSet reports a known, non-empty string argument.
func isSet(v types.String) bool { return !v.IsNull() && !v.IsUnknown() && v.ValueString() != "" }

func (p *huaweicloudProvider) Configure(ctx context.Context, req provider.ConfigureRequest, resp *provider.ConfigureResponse) {
	var m providerModel
	resp.Diagnostics.Append(req.Config.Get(ctx, &m)...)
	if resp.Diagnostics.HasError() {
		return
	}
	// Unknown anywhere, as in one element of endpoints, counts: a client
	// built without it would send to an endpoint the user did not mean.
	if unknown := resources.UnknownArguments(req.Config.Raw); len(unknown) > 0 || m.hasUnknown() {
		// Terraform configures again once the values are known; until then
		// types plan without a client.
		tflog.Debug(ctx, "Provider configuration has unknown values; deferring client creation")
		p.setData(resp, &resources.ProviderData{UnknownArguments: unknown})
		return
	}
	c, diags := resolve(m, p.getenv)
	resp.Diagnostics.Append(diags...)
	if resp.Diagnostics.HasError() {
		return
	}
	if len(c.ignoredEndpoints) > 0 {
		tflog.Debug(ctx, "Ignoring endpoints of other services", map[string]any{"keys": strings.Join(c.ignoredEndpoints, ",")})
	}
	retry := fgs.DefaultRetryPolicy
	if p.retry != nil {
		retry = *p.retry
	}
	retry.MaxRetries = c.maxRetries
	client, err := fgs.New(fgs.Config{
		Credentials:          fgs.Credentials{AccessKey: c.accessKey, SecretKey: c.secretKey, SecurityToken: c.securityToken},
		Token:                c.token,
		AssumeRole:           c.assumeRole,
		AuthURL:              c.authURL,
		SigningAlgorithm:     c.signingAlgorithm,
		Cloud:                c.cloud,
		EndpointOverride:     c.fgsEndpoint,
		RegionEndpoints:      c.regionEndpoints,
		Proxy:                c.proxy,
		Insecure:             c.insecure,
		Retry:                retry,
		MaxRequestsPerSecond: c.maxRequestsPS,
		UserAgent:            "terraform-provider-huaweicloud-fgs/" + p.version,
		Logger:               newTFLogger(c.accessKey, c.secretKey, c.securityToken, c.token),
	})
	if err != nil {
		resp.Diagnostics.AddError("Cannot Configure the FunctionGraph Client", err.Error())
		return
	}
	tflog.Debug(ctx, "Configured the FunctionGraph client", c.logFields())
	p.setData(resp, &resources.ProviderData{Client: client, Region: c.region, ProjectID: c.projectID, StopPoll: p.stopPoll})
}

// setData hands the same data to every kind of type, actions included.
func (p *huaweicloudProvider) setData(resp *provider.ConfigureResponse, data *resources.ProviderData) {
	resp.ResourceData = data
	resp.DataSourceData = data
	resp.ActionData = data
	resp.EphemeralResourceData = data
}

func (p *huaweicloudProvider) Resources(context.Context) []func() resource.Resource {
	return []func() resource.Resource{
		resources.NewAsyncInvocationCancelResource,
		resources.NewAsyncInvocationsCancelResource,
	}
}

func (p *huaweicloudProvider) DataSources(context.Context) []func() datasource.DataSource {
	return []func() datasource.DataSource{
		resources.NewAsyncInvocationsDataSource,
	}
}

func (p *huaweicloudProvider) Functions(context.Context) []func() function.Function {
	return []func() function.Function{
		resources.NewParseFunctionURNFunction,
		resources.NewFunctionURNFunction,
	}
}

func (p *huaweicloudProvider) EphemeralResources(context.Context) []func() ephemeral.EphemeralResource {
	return []func() ephemeral.EphemeralResource{
		resources.NewAsyncInvocationCancelEphemeral,
	}
}

func (p *huaweicloudProvider) Actions(context.Context) []func() action.Action {
	return []func() action.Action{
		resources.NewAsyncInvocationCancelAction,
		resources.NewAsyncInvocationsCancelAction,
	}
}
