package reliability

import (
	"fmt"
	"strings"
	"testing"

	"github.com/fgs-tools/terraform-provider-huaweicloud/internal/acctest"
	"github.com/fgs-tools/terraform-provider-huaweicloud/internal/fgsemu"
)

// badInput is a wrong configuration and how it must be refused.
type badInput struct {
	name string
	// provider holds extra provider block lines; the block points at the
	// emulator unless noEndpoint.
	provider   []string
	noEndpoint bool
	// env replaces the environment's credentials (HW_ACCESS_KEY, HW_SECRET_KEY) when set.
	env map[string]string
	// config is the resource or data source block; badCancel and badList build them.
	config string
	// want is a pattern (acctest.ErrorPattern) for the diagnostic: its summary,
	// the argument to blame (Terraform quotes its line) and what is expected.
	want string
}

const (
	goodRequestID = "1b3a6c2e-7d3f-4e1a-9c6b-2f1e0d9c8b7a"
	// urnPrefix is a valid URN up to the function's name.
	urnPrefix = "urn:fss:cn-north-4:" + acctest.ProjectID + ":function:default:"
)

var goodURN = urnPrefix + "report:latest"

// badCancel is a cancel resource with these arguments (function_urn and
// request_id default to valid ones).
func badCancel(urn, requestID string, lines ...string) string {
	if urn == "" {
		urn = goodURN
	}
	if requestID == "" {
		requestID = goodRequestID
	}
	return cancelBlock("test", urn, requestID, lines...)
}

func badList(urn string, lines ...string) string {
	if urn == "" {
		urn = goodURN
	}
	body := ""
	for _, l := range lines {
		body += "  " + l + "\n"
	}
	return fmt.Sprintf("data \"huaweicloud_fgs_async_invocations\" \"test\" {\n  function_urn = %q\n%s}\n", urn, body)
}

var badInputs = []badInput{
	// Malformed function URNs, one of each kind.
	{name: "URN empty", config: strings.Replace(badCancel("", ""), goodURN, "", 1),
		want: `Invalid Function URN.*function_urn = "".*function URN is empty.*Expected urn:fss:<region>:<project_id>:function:<package>:<function_name>\[:<version_or_alias>\]`},
	{name: "URN with too few parts", config: badCancel("urn:fss:cn-north-4:function:report", ""),
		want: `Invalid Function URN.*function_urn = "urn:fss:cn-north-4:function:report".*has 5 colon-separated parts, expected 7 or 8.*Expected urn:fss:<region>`},
	{name: "URN with too many parts", config: badCancel(goodURN+":extra", ""),
		want: `Invalid Function URN.*function_urn = .*has 9 colon-separated parts, expected 7 or 8`},
	{name: "URN of another scheme", config: badCancel("arn"+goodURN[3:], ""),
		want: `Invalid Function URN.*function_urn = "arn:fss:.*must start with "urn:fss:" and have "function" as its fifth part`},
	{name: "URN of another service", config: badCancel(strings.Replace(goodURN, ":fss:", ":obs:", 1), ""),
		want: `Invalid Function URN.*must start with "urn:fss:"`},
	{name: "URN of a trigger, not a function", config: badCancel(strings.Replace(goodURN, ":function:", ":trigger:", 1), ""),
		want: `Invalid Function URN.*"function" as its fifth part`},
	{name: "URN with a trailing space", config: badCancel(goodURN+" ", ""),
		want: `Invalid Function URN.*function URN has leading or trailing white space`},
	{name: "URN region in capitals", config: badCancel(strings.Replace(goodURN, "cn-north-4", "CN-NORTH-4", 1), ""),
		want: `Invalid Function URN.*region "CN-NORTH-4" is not a region ID such as "cn-north-4"`},
	{name: "URN without a region", config: badCancel(strings.Replace(goodURN, "cn-north-4", "", 1), ""),
		want: `Invalid Function URN.*region "" is not a region ID`},
	{name: "URN project too short", config: badCancel(strings.Replace(goodURN, acctest.ProjectID, "0123456789abcdef", 1), ""),
		want: `Invalid Function URN.*project_id "0123456789abcdef" is not a project ID \(32 hexadecimal characters\)`},
	{name: "URN project not hexadecimal", config: badCancel(strings.Replace(goodURN, acctest.ProjectID, "0123456789abcdef0123456789abcdeg", 1), ""),
		want: `Invalid Function URN.*project_id "0123456789abcdef0123456789abcdeg" is not a project ID`},
	{name: "URN without a package", config: badCancel(strings.Replace(goodURN, ":default:", "::", 1), ""),
		want: `Invalid Function URN.*package "" is not a package name \(letters, digits, '_' and '-', at most 64`},
	{name: "URN package with a slash", config: badCancel(strings.Replace(goodURN, ":default:", ":a/b:", 1), ""),
		want: `Invalid Function URN.*package "a/b" is not a package name`},
	{name: "URN function name starting with a digit", config: badCancel(urnPrefix+"1report:latest", ""),
		want: `Invalid Function URN.*function_name "1report" is not a function name \(a letter, then letters, digits`},
	{name: "URN function name with a query", config: badCancel(urnPrefix+"report?x=1:latest", ""),
		want: `Invalid Function URN.*function_name "report\?x=1" is not a function name`},
	{name: "URN with an empty version", config: badCancel(urnPrefix+"report:", ""),
		want: `Invalid Function URN.*version "" is empty; omit the trailing colon or name a version or alias such as "latest"`},
	{name: "URN version percent-encoded", config: badCancel(urnPrefix+"report:%2e%2e", ""),
		want: `Invalid Function URN.*version "%2e%2e" is not a version or alias`},
	{name: "URN too long", config: badCancel(urnPrefix+strings.Repeat("r", 600), ""),
		want: `Invalid Function URN.*function URN is 6\d\d characters long; a valid one is at most 512`},

	// Request IDs.
	{name: "request ID empty", config: strings.Replace(badCancel("", ""), goodRequestID, "", 1),
		want: `Invalid Request ID.*request_id = "".*request ID is empty; use the request_id returned when the function was invoked asynchronously`},
	{name: "request ID with a space", config: badCancel("", "abc def"),
		want: `Invalid Request ID.*request_id = "abc def".*contains white space at position 4`},
	{name: "request ID with a line break", config: badCancel("", "abc\n"),
		want: `Invalid Request ID.*contains white space at position 4`},
	{name: "request ID not ASCII", config: badCancel("", "réq-1"),
		want: `Invalid Request ID.*request_id = "réq-1".*not printable ASCII at position 2`},
	{name: "request ID too long", config: badCancel("", strings.Repeat("a", 129)),
		want: `Invalid Request ID.*request ID is 129 characters long; at most 128 are allowed`},

	// The cancel's type.
	{name: "type unknown", config: badCancel("", "", `type = "soft"`),
		want: `Invalid Cancel Type.*type = "soft".*type "soft" is not one of "force" or "recursive"\. Set type = "force" to terminate.*or leave type out`},
	{name: "type in capitals", config: badCancel("", "", `type = "FORCE"`),
		want: `Invalid Cancel Type.*type "FORCE" is not one of "force" or "recursive"\. Did you mean "force"\? Its case matters\.`},

	// Regions.
	{name: "resource region contradicting the URN", config: badCancel("", "", `region = "ap-southeast-1"`),
		want: `Region Contradicts Function URN.*region = "ap-southeast-1".*region is "ap-southeast-1" but function_urn names region "cn-north-4".*remove region or set it to "cn-north-4"`},
	{name: "resource region malformed", config: badCancel("", "", `region = "North"`),
		want: `Invalid Region.*region = "North".*"North" is not a region ID such as "cn-north-4"`},
	{name: "provider region unknown", noEndpoint: true, provider: []string{`region = "cn-nowhere-9"`}, config: badCancel("", ""),
		want: `Unknown Region.*region = "cn-nowhere-9".*\(region from argument\).*Set region \(or HW_REGION_NAME\) to one of these, or set endpoints\.fgs`},
	{name: "HW_REGION_NAME unknown", noEndpoint: true, env: withCredentials(map[string]string{"HW_REGION_NAME": "cn-nowhere-9"}), config: badCancel("", ""),
		want: `Unknown Region.*cn-nowhere-9.*\(region from HW_REGION_NAME\)`},
	{name: "URN region without an endpoint", noEndpoint: true, config: badCancel(strings.Replace(goodURN, "cn-north-4", "xx-nowhere-1", 1), ""),
		want: `No Endpoint for the Function's Region.*function_urn = .*function_urn names region "xx-nowhere-1", which has no FunctionGraph endpoint.*set the provider's endpoints\.fgs`},

	// Projects.
	{name: "provider project contradicting the URN", provider: []string{`region = "cn-north-4"`, `project_id = "ffffffffffffffffffffffffffffffff"`}, config: badCancel("", ""),
		want: `Project ID Contradicts Function URN.*function_urn = .*The provider's project_id is "ffffffffffffffffffffffffffffffff" for region "cn-north-4", but function_urn names project "0123456789abcdef0123456789abcdef"`},
	{name: "provider project malformed", provider: []string{`project_id = "abc"`}, config: badCancel("", ""),
		want: `Invalid Project ID.*project_id = "abc".*"abc" is not a project ID \(32 hexadecimal characters\)`},
	{name: "HW_PROJECT_ID malformed", env: withCredentials(map[string]string{"HW_PROJECT_ID": "xyz"}), config: badCancel("", ""),
		want: `Invalid Project ID.*project_id "xyz" is not a project ID \(32 hexadecimal characters\)`},

	// FunctionGraph endpoints.
	{name: "endpoint of another scheme", noEndpoint: true, provider: []string{`endpoints = { fgs = "ftp://127.0.0.1:1" }`}, config: badCancel("", ""),
		want: `Invalid FunctionGraph Endpoint.*fgs = "ftp://127\.0\.0\.1:1".*must start with https:// \(or http:// for a local emulator\)`},
	{name: "endpoint with a path", noEndpoint: true, provider: []string{`endpoints = { fgs = "https://functiongraph.cn-north-4.myhuaweicloud.com/v2" }`}, config: badCancel("", ""),
		want: `Invalid FunctionGraph Endpoint.*has a path \("/v2"\); FunctionGraph endpoints are a scheme and host only`},
	{name: "endpoint with a query", noEndpoint: true, provider: []string{`endpoints = { fgs = "https://functiongraph.example?x=1" }`}, config: badCancel("", ""),
		want: `Invalid FunctionGraph Endpoint.*must not have a query or fragment`},
	{name: "endpoint without a host", noEndpoint: true, provider: []string{`endpoints = { fgs = "https://" }`}, config: badCancel("", ""),
		want: `Invalid FunctionGraph Endpoint.*"https://" has no host`},
	{name: "endpoint with user information", noEndpoint: true, provider: []string{`endpoints = { fgs = "https://user@functiongraph.example" }`}, config: badCancel("", ""),
		want: `Invalid FunctionGraph Endpoint.*must not carry user information`},
	{name: "endpoint not a URL", noEndpoint: true, provider: []string{`endpoints = { fgs = "http://[::1" }`}, config: badCancel("", ""),
		want: `Invalid FunctionGraph Endpoint.*is not a URL`},
	{name: "endpoint empty", noEndpoint: true, provider: []string{`endpoints = { fgs = "" }`}, config: badCancel("", ""),
		want: `Invalid Attribute Value Length.*endpoints.*string length must be at least 1`},
	{name: "cloud domain with a space", noEndpoint: true, provider: []string{`cloud = "my cloud.com"`}, config: badCancel("", ""),
		want: `Invalid Cloud Domain.*cloud = "my cloud.com".*"my cloud.com" is not a domain name such as "myhuaweicloud.com"`},

	// Credentials missing or half there.
	{name: "no credentials at all", env: map[string]string{}, config: badCancel("", ""),
		want: `Missing Huawei Cloud Credentials.*HW_ACCESS_KEY and HW_SECRET_KEY.*never falls back to the ECS metadata server`},
	{name: "access key without secret key", env: map[string]string{"HW_ACCESS_KEY": "HALFACCESSKEY000001"}, config: badCancel("", ""),
		want: `Missing Secret Key.*An access key is set \(from HW_ACCESS_KEY\) but no secret key\. Set secret_key in the provider block or HW_SECRET_KEY`},
	{name: "secret key without access key", env: map[string]string{"HW_SECRET_KEY": "half-secret-key-0001"}, config: badCancel("", ""),
		want: `Missing Access Key.*A secret key is set \(from HW_SECRET_KEY\) but no access key\. Set access_key in the provider block or HW_ACCESS_KEY`},
	{name: "access key argument without secret key", env: map[string]string{}, provider: []string{`access_key = "HALFACCESSKEY000001"`}, config: badCancel("", ""),
		want: `Missing Secret Key.*An access key is set \(from argument\) but no secret key`},
	{name: "CLOUD_SDK_AK without a secret key", env: map[string]string{"CLOUD_SDK_AK": "HALFACCESSKEY000001"}, config: badCancel("", ""),
		want: `Missing Secret Key.*\(from CLOUD_SDK_AK\) but no secret key`},

	// Retries and other provider settings.
	{name: "max_retries negative", provider: []string{"max_retries = -1"}, config: badCancel("", ""),
		want: `Invalid Attribute Value.*max_retries = -1.*max_retries value must be between 0 and 100, got: -1`},
	{name: "max_retries too large", provider: []string{"max_retries = 1000"}, config: badCancel("", ""),
		want: `Invalid Attribute Value.*max_retries value must be between 0 and 100, got: 1000`},
	{name: "HW_MAX_RETRIES not a number", env: withCredentials(map[string]string{"HW_MAX_RETRIES": "lots"}), config: badCancel("", ""),
		want: `Invalid HW_MAX_RETRIES.*HW_MAX_RETRIES="lots" is not a whole number from 0 to 100`},
	{name: "HW_INSECURE not a boolean", env: withCredentials(map[string]string{"HW_INSECURE": "maybe"}), config: badCancel("", ""),
		want: `Invalid HW_INSECURE.*HW_INSECURE="maybe" is not a boolean; use true or false`},
	{name: "create timeout not a duration", config: badCancel("", "", `timeouts { create = "soon" }`),
		want: `Invalid Attribute Value Time Duration.*create = "soon".*"soon" must be a string containing a sequence of decimal numbers.*such as "300ms"`},

	// The data source's filters.
	{name: "data source status of another API", config: badList("", `status = "started"`),
		want: `Invalid Invocation Status.*status = "started".*status "started" is not one of "WAIT", "RUNNING", "SUCCESS", "FAIL" or "DISCARD"\. Set status to one of them \(in any case\)`},
	{name: "data source status unknown", config: badList("", `status = "DONE"`),
		want: `Invalid Invocation Status.*status "DONE" is not one of`},
	{name: "data source begin time in words", config: badList("", `query_begin_time = "yesterday"`),
		want: `Invalid Time.*query_begin_time = "yesterday".*"yesterday" is not an RFC 3339 time such as 2026-01-02T15:04:05Z`},
	{name: "data source end time without a zone", config: badList("", `query_end_time = "2026-01-02 15:04:05"`),
		want: `Invalid Time.*query_end_time = "2026-01-02 15:04:05".*is not an RFC 3339 time`},
	{name: "data source ends before it begins", config: badList("", `query_begin_time = "2026-01-02T15:04:05Z"`, `query_end_time = "2026-01-01T15:04:05Z"`),
		want: `Query Ends Before It Begins.*query_end_time = "2026-01-01T15:04:05Z".*is before query_begin_time \(2026-01-02T15:04:05Z\); no invocation could match`},
	{name: "data source request ID with a space", config: badList("", `request_id = "abc def"`),
		want: `Invalid Request ID.*request_id = "abc def".*contains white space at position 4`},
	{name: "data source URN malformed", config: badList("urn:fss:cn-north-4:report"),
		want: `Invalid Function URN.*function_urn = "urn:fss:cn-north-4:report".*has 4 colon-separated parts`},
	{name: "data source region contradicting the URN", config: badList("", `region = "eu-west-101"`),
		want: `Region Contradicts Function URN.*region = "eu-west-101".*function_urn names region "cn-north-4"`},
	{name: "data source URN region without an endpoint", noEndpoint: true, config: badList(strings.Replace(goodURN, "cn-north-4", "xx-nowhere-1", 1)),
		want: `No Endpoint for the Function's Region.*names region "xx-nowhere-1"`},
}

// Every wrong configuration fails at validate or plan time with a
// diagnostic that names the argument and what is expected, and sends
// nothing: the emulator sees no request and not even a connection.
func TestBadInput(t *testing.T) {
	t.Parallel()
	if len(badInputs) < 30 {
		t.Fatalf("only %d bad inputs, want at least 30", len(badInputs))
	}
	for _, bi := range badInputs {
		t.Run(bi.name, func(t *testing.T) {
			t.Parallel()
			emu := startEmulator(t, fgsemu.Options{}, fgsemu.Function{URN: goodURN})
			var atValidate bool
			figures.badInput(t, &atValidate, func() int64 { return emu.Stats().Requests })
			lines := bi.provider
			block := "provider \"huaweicloud\" {\n  " + strings.Join(lines, "\n  ") + "\n}\n"
			if !bi.noEndpoint {
				block = providerBlock(emu, lines...)
			}
			w := newWorkspace(t, bi.env)
			w.configure(block, bi.config)
			w.init()

			res := w.run("validate", "-no-color")
			atValidate = res.code != 0
			if !atValidate {
				res = w.run("plan", "-no-color", "-input=false")
			}
			if res.code == 0 {
				t.Fatalf("a wrong configuration was accepted:\n%s", res)
			}
			expectOutput(t, res, `Error: `+bi.want)
			if s := emu.Stats(); s.Requests != 0 || s.Connections != 0 {
				t.Fatalf("a wrong configuration reached the API: %d requests over %d connections", s.Requests, s.Connections)
			}
		})
	}
}
