package provider

import (
	"fmt"
	"net/http"
	"net/url"
	"sort"
	"strings"
	"unicode"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"golang.org/x/net/http/httpproxy"

	"github.com/fgs-tools/terraform-provider-huaweicloud/internal/fgs"
)

// officialEndpointKeys are the service keys of the official huaweicloud
// provider's endpoints map (the keys of allServiceCatalog in its
// huaweicloud/config/endpoints.go). A configuration shared with it may set
// any of them; this provider reads fgs and iam and ignores the others.
var officialEndpointKeys = map[string]bool{}

func init() {
	for _, k := range strings.Fields(`identity iam_no_version iam cdn eps bss bssv2 ecs ecsv11 ecsv21 autoscaling ims
		ccev1 cce cce_addon aom cci cciv1_bata fgs swr bms aos evs evsv21 sfs sfs-turbo cbr csbs vbs vpc networkv2 vpcv3
		nat elbv2 elbv3 elb fwv2 vpcep dns dns_region workspace er vpn ga dc rdsv1 rds dds geminidb geminidbv31 gaussdb
		opengauss drs ces cts lts apm smn smn-tag sms tms meeting aad anti-ddos kms kmsv1 kmsv3 waf waf-dedicated dbss hss
		mrs mrsv2 modelarts modelartsv2 dataarts dws dwsv2 dli dliv2 dis disv3 css cs ges cloudtable cdm apig apigv2 bcs
		cse dcsv1 dcs dms dmsv2 servicestage servicestagev2 iec rts oms scm cc cpts live mpc iotda vod cmdb codehub
		projectman dsc mls natv2`) {
		officialEndpointKeys[k] = true
	}
}

// endpointEntry is one known key of the endpoints map.
type endpointEntry struct {
	key, value string
}

// endpointEntries sorts the map's known values by what this provider makes
// of their keys: fgs and iam (in any case), keys of the official provider's
// other services, and keys no provider reads, which are surely misspelt.
func endpointEntries(m types.Map) (fgsKeys, iamKeys []endpointEntry, official, unknown []string) {
	if m.IsNull() || m.IsUnknown() {
		return nil, nil, nil, nil
	}
	for key, v := range m.Elements() {
		s, ok := v.(types.String)
		known := ok && !s.IsNull() && !s.IsUnknown()
		switch lower := strings.ToLower(key); {
		case !officialEndpointKeys[lower] && lower != endpointKeyFGS && lower != endpointKeyIAM:
			unknown = append(unknown, key) // a wrong key is wrong whatever its value
		case !known:
		case lower == endpointKeyFGS:
			fgsKeys = append(fgsKeys, endpointEntry{key, s.ValueString()})
		case lower == endpointKeyIAM:
			iamKeys = append(iamKeys, endpointEntry{key, s.ValueString()})
		default:
			official = append(official, key)
		}
	}
	byKey := func(es []endpointEntry) {
		sort.Slice(es, func(i, j int) bool { return es[i].key < es[j].key })
	}
	byKey(fgsKeys)
	byKey(iamKeys)
	sort.Strings(official)
	sort.Strings(unknown)
	return fgsKeys, iamKeys, official, unknown
}

// checkEndpointKeys reports the same service set twice, and refuses keys
// that neither provider reads: such a key is most often a misspelt fgs, and
// ignoring it would send every signed request to the public endpoint
// instead of the one the user wrote. Keys of the official provider's other
// services stay accepted, so a shared endpoints map works unchanged.
func checkEndpointKeys(m types.Map, diags *diag.Diagnostics) {
	fgsKeys, iamKeys, _, unknown := endpointEntries(m)
	reportDuplicates(fgsKeys, iamKeys, diags)
	for _, key := range unknown {
		diags.AddAttributeError(path.Root("endpoints").AtMapKey(key), "Unknown Endpoint Key",
			fmt.Sprintf("endpoints key %q is not a service key of the huaweicloud provider. Requests are not sent anywhere until it is fixed: "+
				"ignoring it would send them to the default endpoint instead of the one written here.%s\n\n"+
				"This provider uses %q (FunctionGraph) and %q (IAM, for assume_role), in any case; the official provider's other service keys "+
				"(such as ecs or vpc) are accepted and ignored, so a shared endpoints map works. Remove the key or correct its name.",
				key, didYouMean(key), endpointKeyFGS, endpointKeyIAM))
	}
}

func reportDuplicates(fgsKeys, iamKeys []endpointEntry, diags *diag.Diagnostics) {
	for _, es := range [][]endpointEntry{fgsKeys, iamKeys} {
		if len(es) > 1 {
			diags.AddAttributeError(path.Root("endpoints").AtMapKey(es[1].key), "Endpoint Set Twice",
				fmt.Sprintf("endpoints sets %q and %q, which are the same service: keys are matched regardless of case. Keep one.", es[0].key, es[1].key))
		}
	}
}

func didYouMean(key string) string {
	switch lower := foldKey(key); {
	case lower == endpointKeyFGS || lower == endpointKeyIAM:
		return fmt.Sprintf(" Did you mean %s? Write the key exactly, in plain ASCII letters, without spaces, dashes or underscores.", lower)
	case strings.Contains(lower, "function") || strings.Contains(lower, "fg"):
		return " Did you mean fgs?"
	case strings.Contains(lower, "iam") || strings.Contains(lower, "identity") || strings.Contains(lower, "auth"):
		return " Did you mean iam?"
	}
	return ""
}

// foldKey reads a key as a person would: lower case, full-width letters as
// ASCII, without white space, dashes or underscores.
func foldKey(key string) string {
	return strings.Map(func(r rune) rune {
		switch {
		case r >= 0xFF01 && r <= 0xFF5E: // full-width forms of ASCII
			r -= 0xFEE0
		case r == ' ' || r == '_' || r == '-' || r == '\u3000' || r == '\t':
			return -1
		}
		return unicode.ToLower(r)
	}, key)
}

// resolveEndpoints checks every source of an endpoint: endpoints.fgs and
// endpoints.iam, the SDK's region variables and regions.yaml (for the
// provider's region here, for a URN's region when it is planned).
func resolveEndpoints(m providerModel, getenv func(string) string, c *resolvedConfig, diags *diag.Diagnostics) {
	fgsKeys, iamKeys, official, _ := endpointEntries(m.Endpoints)
	checkEndpointKeys(m.Endpoints, diags) // as at validation, for a map known only now
	c.ignoredEndpoints = official
	if len(iamKeys) > 0 {
		c.iamEndpoint = iamKeys[0].value
	}
	if len(fgsKeys) > 0 {
		e := fgsKeys[0]
		n, err := fgs.NormalizeEndpoint(e.value)
		if err != nil {
			diags.AddAttributeError(path.Root("endpoints").AtMapKey(e.key), "Invalid FunctionGraph Endpoint", err.Error()+".")
		}
		c.fgsEndpoint, c.fgsEndpointFrom = n, "endpoints."+e.key
	}

	regional, err := fgs.LoadRegionEndpoints(getenv)
	if err != nil {
		diags.AddError("Invalid SDK Region Endpoints", err.Error()+".\n\n"+
			"The Huawei Cloud SDK reads FunctionGraph endpoints per region from this file; fix the entry, or remove the file if it is stale.")
	}
	c.regionEndpoints = regional
	// With the regions file unreadable, the region may be one it would have
	// named: that file's error is the one to fix, not the region.
	if c.fgsEndpoint == "" && c.region != "" && err == nil {
		endpoint, from, err := regional.Lookup(c.region)
		switch {
		case err != nil:
			diags.AddError("Invalid SDK Region Endpoint", err.Error()+".\n\n"+
				"The Huawei Cloud SDK reads this variable as FunctionGraph's endpoint in the region. Set it to a scheme and host only, "+
				"such as https://functiongraph.cn-north-4.myhuaweicloud.com, or unset it and use endpoints.fgs.")
		case endpoint != "":
			c.fgsEndpointFrom = from
		case c.cloud == fgs.DefaultCloud:
			if _, err := fgs.KnownRegion(c.region); err != nil {
				diags.AddAttributeError(path.Root("region"), "Unknown Region",
					fmt.Sprintf("%s (region from %s).\n\nSet region (or %s) to one of these, or set endpoints.fgs to reach a region the SDK does not know yet.", err, c.regionFrom, envRegion))
			}
		}
	}
	c.proxy = proxyFromEnvironment(getenv)
}

// proxyFromEnvironment reads the proxy variables as net/http does, but from
// the provider's environment.
func proxyFromEnvironment(getenv func(string) string) func(*http.Request) (*url.URL, error) {
	either := func(upper string) string {
		if v := getenv(upper); v != "" {
			return v
		}
		return getenv(strings.ToLower(upper))
	}
	choose := (&httpproxy.Config{HTTPProxy: either("HTTP_PROXY"), HTTPSProxy: either("HTTPS_PROXY"), NoProxy: either("NO_PROXY")}).ProxyFunc()
	return func(req *http.Request) (*url.URL, error) { return choose(req.URL) }
}
