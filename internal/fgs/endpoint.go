package fgs

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net/url"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"syscall"

	"github.com/goccy/go-yaml"
	sdkregion "github.com/huaweicloud/huaweicloud-sdk-go-v3/core/region"
	fgsregion "github.com/huaweicloud/huaweicloud-sdk-go-v3/services/functiongraph/v2/region"
)

// DefaultCloud is the domain of Huawei Cloud's public endpoints.
const DefaultCloud = "myhuaweicloud.com"

// sdkRegions are the SDK's FunctionGraph regions, read from its exported
// values rather than through fgsregion.SafeValueOf: that asks the SDK's
// region chain first, which reads regions.yaml without any bound (a FIFO
// there hangs it for ever). The provider reads the SDK's overrides itself
// (RegionEndpoints), so the chain would add nothing.
var sdkRegions = func() map[string]*sdkregion.Region {
	m := map[string]*sdkregion.Region{}
	for _, r := range []*sdkregion.Region{
		fgsregion.CN_NORTH_4, fgsregion.CN_NORTH_1, fgsregion.CN_EAST_2, fgsregion.CN_EAST_3, fgsregion.CN_SOUTH_1,
		fgsregion.AP_SOUTHEAST_2, fgsregion.AP_SOUTHEAST_1, fgsregion.AP_SOUTHEAST_3, fgsregion.AF_SOUTH_1,
		fgsregion.CN_SOUTHWEST_2, fgsregion.SA_BRAZIL_1, fgsregion.LA_SOUTH_2, fgsregion.NA_MEXICO_1, fgsregion.LA_NORTH_2,
		fgsregion.AP_SOUTHEAST_4, fgsregion.EU_WEST_101, fgsregion.TR_WEST_1, fgsregion.CN_NORTH_9, fgsregion.CN_NORTH_11,
		fgsregion.ME_EAST_1, fgsregion.MY_KUALALUMPUR_1, fgsregion.CN_SOUTH_4, fgsregion.RU_MOSCOW_1, fgsregion.CN_EAST_4,
		fgsregion.AE_AD_1, fgsregion.AP_SOUTHEAST_5, fgsregion.CN_SOUTHWEST_3,
	} {
		m[r.Id] = r
	}
	return m
}()

// KnownRegion checks a region ID against the SDK's FunctionGraph regions. It
// returns the region's endpoint, checked like any other; the error lists the
// regions the SDK knows.
func KnownRegion(region string) (string, error) {
	if region == "" {
		return "", fmt.Errorf("region is empty")
	}
	r := sdkRegions[region]
	if r == nil {
		ids := make([]string, 0, len(sdkRegions))
		for id := range sdkRegions {
			ids = append(ids, id)
		}
		sort.Strings(ids)
		return "", fmt.Errorf("region %q is not a FunctionGraph region the Huawei Cloud SDK knows: %s", region, strings.Join(ids, ", "))
	}
	if len(r.Endpoints) == 0 {
		return "", fmt.Errorf("region %q has no FunctionGraph endpoint in the SDK", region)
	}
	return NormalizeEndpoint(r.Endpoints[0])
}

// NormalizeEndpoint checks an endpoint from any source (endpoints.fgs, the
// SDK's region variables and regions.yaml) and returns it as the SDK must get
// it: a lowercase http or https scheme and a host, nothing after.
func NormalizeEndpoint(raw string) (string, error) {
	return parseEndpoint(raw, "", func(path string) string {
		return fmt.Sprintf("%q has a path (%q); FunctionGraph endpoints are a scheme and host only, such as https://functiongraph.cn-north-4.myhuaweicloud.com "+
			"(the SDK would drop the path)", raw, path)
	})
}

// ValidateEndpointURL checks an endpoint override; see NormalizeEndpoint.
func ValidateEndpointURL(raw string) error {
	_, err := NormalizeEndpoint(raw)
	return err
}

// parseEndpoint is the one endpoint check: the SDK prefixes https:// to
// anything not starting with a lowercase "http" and drops any path, so an
// endpoint that would not reach the host it names is refused here instead.
// allowedPath is a path that may follow the host (IAM's /v3); pathProblem
// explains any other.
func parseEndpoint(raw, allowedPath string, pathProblem func(path string) string) (string, error) {
	if strings.TrimSpace(raw) != raw {
		return "", fmt.Errorf("%q has white space around it", raw)
	}
	if !strings.Contains(raw, "://") {
		return "", fmt.Errorf("%q must start with https:// (or http:// for a local emulator)", raw)
	}
	u, err := url.Parse(raw)
	if err != nil {
		return "", fmt.Errorf("%q is not a URL: %v", raw, errors.Unwrap(err))
	}
	scheme := strings.ToLower(u.Scheme)
	if scheme != "https" && scheme != "http" {
		return "", fmt.Errorf("%q must start with https:// (or http:// for a local emulator)", raw)
	}
	if u.Host == "" || u.Hostname() == "" {
		return "", fmt.Errorf("%q has no host", raw)
	}
	if strings.Contains(u.Hostname(), "%") {
		return "", fmt.Errorf("%q names an IPv6 zone (%s); the Huawei Cloud SDK cannot send to one. "+
			"Use the address without its zone, or a host name", raw, u.Hostname()[strings.Index(u.Hostname(), "%"):])
	}
	if u.User != nil {
		return "", fmt.Errorf("%q must not carry user information", raw)
	}
	if port := u.Port(); port != "" {
		if n, err := strconv.Atoi(port); err != nil || n < 1 || n > 65535 {
			return "", fmt.Errorf("%q has the port %s; a port is a number from 1 to 65535", raw, port)
		}
	} else if strings.HasSuffix(u.Host, ":") {
		return "", fmt.Errorf("%q has an empty port", raw)
	}
	if u.RawQuery != "" || u.ForceQuery || u.Fragment != "" || strings.Contains(raw, "#") {
		return "", fmt.Errorf("%q must not have a query or fragment", raw)
	}
	if p := strings.Trim(u.Path, "/"); p != "" && p != allowedPath {
		return "", errors.New(pathProblem(u.Path))
	}
	return scheme + "://" + u.Host, nil
}

// NormalizeCloud writes a cloud domain as DNS reads it: lower case,
// without the final dot, so "MYHUAWEICLOUD.COM." is the default cloud.
func NormalizeCloud(cloud string) string {
	return strings.TrimSuffix(strings.ToLower(cloud), ".")
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
	for _, label := range strings.Split(cloud, ".") {
		if label == "" || len(label) > 63 || strings.HasPrefix(label, "-") || strings.HasSuffix(label, "-") {
			return fmt.Errorf("%q is not a domain name such as %q: each part between dots must be 1 to 63 letters, digits or dashes", cloud, DefaultCloud)
		}
	}
	return nil
}

// Endpoint returns the FunctionGraph endpoint for a region: the override if
// one is set, else the SDK's override for the region (see RegionEndpoints),
// else https://functiongraph.<region>.<cloud>. On the default cloud the
// region must be one the SDK knows, so a typo fails here rather than as a
// DNS error at apply.
func Endpoint(region, cloud, override string, regional *RegionEndpoints) (string, error) {
	if override != "" {
		return NormalizeEndpoint(override)
	}
	if endpoint, _, err := regional.Lookup(region); endpoint != "" || err != nil {
		return endpoint, err
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

// The SDK's per-region endpoint overrides, as its region provider chain reads them.
const (
	sdkRegionEnvPrefix = "HUAWEICLOUD_SDK_REGION_FUNCTIONGRAPH_"
	sdkRegionsFileEnv  = "HUAWEICLOUD_SDK_REGIONS_FILE"
	sdkRegionsFile     = "~/.huaweicloud/regions.yaml"
	sdkServiceName     = "FUNCTIONGRAPH"
	maxRegionsFileSize = 4 << 20
)

// RegionEndpoints are the SDK's own per-region FunctionGraph endpoints: the
// HUAWEICLOUD_SDK_REGION_FUNCTIONGRAPH_<REGION> variables, then the
// FunctionGraph entries of regions.yaml. They are read here, in the SDK's
// order, so that each goes through the same check as endpoints.fgs; the SDK
// never picks an endpoint itself. A nil *RegionEndpoints has none.
type RegionEndpoints struct {
	getenv func(string) string
	// file is regions.yaml's path, and byRegion its FunctionGraph endpoints.
	file     string
	byRegion map[string][]string
}

// RegionEndpointVariable is the SDK's variable for a region's FunctionGraph endpoint.
func RegionEndpointVariable(region string) string {
	return sdkRegionEnvPrefix + strings.ToUpper(strings.ReplaceAll(region, "-", "_"))
}

// LoadRegionEndpoints reads regions.yaml (HUAWEICLOUD_SDK_REGIONS_FILE, else
// ~/.huaweicloud/regions.yaml, if it exists) and checks every FunctionGraph
// endpoint in it. Variables are read, and checked, per region by Lookup.
func LoadRegionEndpoints(getenv func(string) string) (*RegionEndpoints, error) {
	r := &RegionEndpoints{getenv: getenv}
	file, explicit := getenv(sdkRegionsFileEnv), true
	if file == "" {
		home := getenv("HOME")
		if home == "" {
			home = getenv("USERPROFILE")
		}
		if home == "" {
			return r, nil
		}
		file, explicit = filepath.Join(home, sdkRegionsFile[2:]), false
	}
	data, err := readRegionsFile(file)
	switch {
	case errors.Is(err, fs.ErrNotExist) && !explicit:
		return r, nil
	case errors.Is(err, fs.ErrNotExist):
		return nil, fmt.Errorf("the SDK's regions file %s (from %s) does not exist", file, sdkRegionsFileEnv)
	case err != nil:
		return nil, fmt.Errorf("the SDK's regions file %s cannot be read: %v", file, err)
	}
	var services map[string][]struct {
		ID        string   `yaml:"id"`
		Endpoint  string   `yaml:"endpoint"`
		Endpoints []string `yaml:"endpoints"`
	}
	if err := yaml.Unmarshal(data, &services); err != nil {
		return nil, fmt.Errorf("the SDK's regions file %s is not valid YAML of services and their regions: %s", file, firstLine(err.Error()))
	}
	r.file, r.byRegion = file, map[string][]string{}
	for service, regions := range services {
		if !strings.EqualFold(service, sdkServiceName) {
			continue
		}
		for _, reg := range regions {
			endpoints := reg.Endpoints
			if reg.Endpoint != "" {
				endpoints = append([]string{reg.Endpoint}, endpoints...)
			}
			if reg.ID == "" || len(endpoints) == 0 {
				continue
			}
			for i, e := range endpoints {
				n, err := NormalizeEndpoint(e)
				if err != nil {
					return nil, fmt.Errorf("%s: the endpoint of region %q under %s: %w", file, reg.ID, service, err)
				}
				endpoints[i] = n
			}
			r.byRegion[reg.ID] = endpoints
		}
	}
	return r, nil
}

func readRegionsFile(path string) ([]byte, error) {
	return ReadSmallFile(path, maxRegionsFileSize)
}

// ReadSmallFile reads a regular file of at most limit bytes, and nothing
// else: it opens without blocking (a FIFO's open waits for a writer) and
// checks what it opened, so a FIFO or device swapped in after a check
// cannot hang the read either.
func ReadSmallFile(path string, limit int64) ([]byte, error) {
	f, err := os.OpenFile(path, os.O_RDONLY|syscall.O_NONBLOCK, 0)
	if err != nil {
		return nil, err
	}
	defer func() { _ = f.Close() }()
	info, err := f.Stat()
	if err != nil {
		return nil, err
	}
	if !info.Mode().IsRegular() {
		return nil, ErrNotRegularFile
	}
	data, err := io.ReadAll(io.LimitReader(f, limit+1))
	if err == nil && int64(len(data)) > limit {
		err = &FileTooLargeError{Limit: limit}
	}
	return data, err
}

// ErrNotRegularFile is a FIFO, device or directory ReadSmallFile refused.
var ErrNotRegularFile = errors.New("it is not a regular file")

// FileTooLargeError is a file ReadSmallFile refused for its size.
type FileTooLargeError struct{ Limit int64 }

func (e *FileTooLargeError) Error() string {
	return fmt.Sprintf("it is larger than %d MiB", e.Limit>>20)
}

func firstLine(s string) string {
	s = strings.TrimSpace(s)
	if i := strings.IndexByte(s, '\n'); i >= 0 {
		return s[:i]
	}
	return s
}

// Lookup returns the SDK's override for a region, checked, and where it was
// set; an empty endpoint if there is none. Like the SDK, the variable wins
// over regions.yaml, and of several comma-separated endpoints the first is
// used (each is checked).
func (r *RegionEndpoints) Lookup(region string) (endpoint, source string, err error) {
	if r == nil || region == "" {
		return "", "", nil
	}
	name := RegionEndpointVariable(region)
	if v := r.getenv(name); v != "" {
		var first string
		for _, e := range strings.Split(v, ",") {
			n, err := NormalizeEndpoint(e)
			if err != nil {
				return "", name, fmt.Errorf("%s, the SDK's endpoint for region %s, is invalid: %w; fix or unset it", name, region, err)
			}
			if first == "" {
				first = n
			}
		}
		return first, name, nil
	}
	if endpoints := r.byRegion[region]; len(endpoints) > 0 {
		return endpoints[0], r.file, nil
	}
	return "", "", nil
}

// Regions lists the regions regions.yaml gives FunctionGraph endpoints for.
func (r *RegionEndpoints) Regions() []string {
	if r == nil {
		return nil
	}
	out := make([]string, 0, len(r.byRegion))
	for id := range r.byRegion {
		out = append(out, id)
	}
	sort.Strings(out)
	return out
}
