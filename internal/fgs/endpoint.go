package fgs

import (
	"fmt"
	"net/url"
	"strings"
	"sync"

	fgsregion "github.com/huaweicloud/huaweicloud-sdk-go-v3/services/functiongraph/v2/region"
)

// DefaultCloud is the domain of Huawei Cloud's public endpoints.
const DefaultCloud = "myhuaweicloud.com"

// regionLookup serialises the SDK's region lookup: it fills an unguarded map
// on first use of each region, and a concurrent map write is fatal, not a panic.
var regionLookup sync.Mutex

// KnownRegion checks a region ID against the SDK's FunctionGraph regions
// (and its HUAWEICLOUD_SDK_REGION_* and regions.yaml overrides). It returns
// the region's endpoint; the error lists the regions the SDK knows.
func KnownRegion(region string) (string, error) {
	if region == "" {
		return "", fmt.Errorf("region is empty")
	}
	regionLookup.Lock()
	defer regionLookup.Unlock()
	r, err := fgsregion.SafeValueOf(region)
	if err != nil {
		return "", fmt.Errorf("%s", strings.TrimSpace(err.Error()))
	}
	if r == nil || len(r.Endpoints) == 0 {
		return "", fmt.Errorf("region %q has no FunctionGraph endpoint in the SDK", region)
	}
	return r.Endpoints[0], nil
}

// ValidateEndpointURL checks an endpoint override: an absolute http(s) URL
// with a host and nothing after the path (the SDK drops any path prefix).
func ValidateEndpointURL(raw string) error {
	u, err := url.Parse(raw)
	if err != nil {
		return fmt.Errorf("%q is not a URL: %v", raw, err)
	}
	if u.Scheme != "https" && u.Scheme != "http" {
		return fmt.Errorf("%q must start with https:// (or http:// for a local emulator)", raw)
	}
	if u.Host == "" || u.Hostname() == "" {
		return fmt.Errorf("%q has no host", raw)
	}
	if u.User != nil {
		return fmt.Errorf("%q must not carry user information", raw)
	}
	if u.RawQuery != "" || u.Fragment != "" {
		return fmt.Errorf("%q must not have a query or fragment", raw)
	}
	if p := strings.Trim(u.Path, "/"); p != "" {
		return fmt.Errorf("%q has a path (%q); FunctionGraph endpoints are a scheme and host only, such as https://functiongraph.cn-north-4.myhuaweicloud.com", raw, u.Path)
	}
	return nil
}

// ValidateCloud checks the cloud domain, such as "myhuaweicloud.com".
func ValidateCloud(cloud string) error {
	if cloud == "" {
		return fmt.Errorf("cloud is empty")
	}
	u, err := url.Parse("https://functiongraph.cn-north-4." + cloud)
	if err != nil || u.Host != "functiongraph.cn-north-4."+cloud || strings.ContainsAny(cloud, "/:@ ") {
		return fmt.Errorf("%q is not a domain name such as %q", cloud, DefaultCloud)
	}
	return nil
}

// Endpoint returns the FunctionGraph endpoint for a region: the override if
// one is set, else https://functiongraph.<region>.<cloud>. On the default
// cloud the region must be one the SDK knows, so a typo fails here rather
// than as a DNS error at apply.
func Endpoint(region, cloud, override string) (string, error) {
	if override != "" {
		if err := ValidateEndpointURL(override); err != nil {
			return "", err
		}
		return strings.TrimRight(override, "/"), nil
	}
	if cloud == "" {
		cloud = DefaultCloud
	}
	if cloud == DefaultCloud {
		return KnownRegion(region)
	}
	if !regionPattern.MatchString(region) {
		return "", fmt.Errorf("region %q is not a region ID such as \"cn-north-4\"", region)
	}
	return "https://functiongraph." + region + "." + cloud, nil
}
