package reliability

import (
	"encoding/json"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/fgs-tools/terraform-provider-huaweicloud/internal/fgs"
)

// The scan every workspace gets when its test ends: each file its terraform
// commands produced (TF_LOG=TRACE logs, standard output and error, state,
// plan and state JSON) must hold no secret, the access key only masked, and
// no sign of a panic or a data race.

// scanResult is what a scan found.
type scanResult struct {
	files, runs      int
	bytes            int64
	leaks            []string // file: what leaked
	unhealthy        []string // file: the panic or race seen
	providerLogLines int      // lines the provider logged into Terraform's TRACE log
	maskedAccessKeys int
}

// unhealthyOutput are what a provider crash, a recovered SDK panic gone
// wrong, or a data race leave in Terraform's output or log.
var unhealthyOutput = regexp.MustCompile(`panic: |WARNING: DATA RACE|The plugin encountered an error|Plugin did not respond|SDK panicked|string field contains invalid UTF-8`)

// providerLogLine marks a line the provider wrote, as Terraform's log names it.
const providerLogLine = "provider.terraform-provider-huaweicloud"

func scanWorkspace(t *testing.T, w *workspace) {
	t.Helper()
	res := scanDir(w.dir, w.secrets, w.accessKeys, w.allowInOutput)
	figures.scanned(res)
	for _, l := range res.leaks {
		t.Errorf("secret leaked: %s", l)
	}
	for _, u := range res.unhealthy {
		t.Errorf("terraform or the provider failed: %s", u)
	}
}

// scanDir scans every file under dir except Terraform's own data (.terraform),
// the configuration the user wrote (*.tf) and binary plan files (their
// content is scanned through terraform show -json).
func scanDir(dir string, secrets, accessKeys []string, allow []*regexp.Regexp) scanResult {
	var res scanResult
	var paths []string
	err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		switch {
		case err != nil:
			return err
		case d.IsDir() && d.Name() == ".terraform":
			return filepath.SkipDir
		case d.IsDir(), strings.HasSuffix(path, ".tf"), strings.HasSuffix(path, ".tfplan"), strings.HasSuffix(path, ".terraform.lock.hcl"):
			return nil
		}
		paths = append(paths, path)
		return nil
	})
	if err != nil {
		res.unhealthy = append(res.unhealthy, dir+": cannot be scanned: "+err.Error())
	}
	for _, path := range paths {
		b, err := os.ReadFile(path)
		if err != nil {
			res.unhealthy = append(res.unhealthy, path+": cannot be scanned: "+err.Error())
			continue
		}
		name, _ := filepath.Rel(dir, path)
		res.files++
		res.bytes += int64(len(b))
		content := string(b)
		if strings.HasSuffix(path, ".stdout") {
			res.runs++
			content = withoutProviderConfigSecrets(content)
		}
		for _, s := range secrets {
			if s != "" && strings.Contains(content, s) {
				res.leaks = append(res.leaks, name+": "+secretContext(content, s))
			}
		}
		for _, ak := range accessKeys {
			if ak == "" {
				continue
			}
			if strings.Contains(content, ak) {
				res.leaks = append(res.leaks, name+": the access key, unmasked: "+secretContext(content, ak))
			}
			res.maskedAccessKeys += strings.Count(content, fgs.MaskAccessKey(ak))
		}
		if strings.HasSuffix(path, ".log") {
			res.providerLogLines += strings.Count(content, providerLogLine)
		}
		if m := unhealthyOutput.FindStringIndex(content); m != nil && !allowed(content, allow) {
			res.unhealthy = append(res.unhealthy, name+": "+around(content, m[0], m[1]))
		}
	}
	return res
}

func allowed(content string, allow []*regexp.Regexp) bool {
	for _, a := range allow {
		if a.MatchString(content) {
			return true
		}
	}
	return false
}

// secretContext shows where a secret was found, with the secret itself hidden.
func secretContext(content, secret string) string {
	i := strings.Index(content, secret)
	return strings.ReplaceAll(around(content, i, i+len(secret)), secret, "<SECRET>")
}

func around(content string, from, to int) string {
	return strings.ReplaceAll(content[max(0, from-120):min(len(content), to+120)], "\n", "⏎")
}

// credentialArguments are the provider's credentials: a configuration that
// writes them literally is shown back by Terraform in a plan's JSON
// configuration section, which is Terraform's handling of the user's own
// input, not the provider's.
var credentialArguments = []string{"access_key", "secret_key", "security_token", "token"}

// withoutProviderConfigSecrets removes, from terraform show -json output of
// a plan, only the constant values of the provider block's credential
// arguments; anything else is scanned as it is.
func withoutProviderConfigSecrets(content string) string {
	if !strings.HasPrefix(content, "{") || !strings.Contains(content, `"provider_config"`) {
		return content
	}
	var doc map[string]any
	if err := json.Unmarshal([]byte(content), &doc); err != nil {
		return content
	}
	cfg, _ := doc["configuration"].(map[string]any)
	providers, _ := cfg["provider_config"].(map[string]any)
	for _, p := range providers {
		exprs, _ := p.(map[string]any)["expressions"].(map[string]any)
		for _, arg := range credentialArguments {
			delete(exprs, arg)
		}
	}
	var b strings.Builder
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(doc); err != nil {
		return content
	}
	return b.String()
}
