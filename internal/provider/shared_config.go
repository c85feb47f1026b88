package provider

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"path/filepath"
	"sort"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"

	"github.com/fgs-tools/terraform-provider-huaweicloud/internal/fgs"
)

// defaultSharedConfigFile is where the Huawei Cloud CLI (hcloud, KooCLI) keeps its profiles.
const defaultSharedConfigFile = "~/.hcloud/config.json"

// maxSharedConfigSize bounds what is read: the CLI's files are a few KiB.
const maxSharedConfigSize = 4 << 20

// sharedConfig is the Huawei Cloud CLI's config.json, as far as this provider reads it.
type sharedConfig struct {
	Current  string       `json:"current"`
	Profiles []cliProfile `json:"profiles"`
}

type cliProfile struct {
	Name            string `json:"name"`
	Mode            string `json:"mode"`
	AccessKeyID     string `json:"accessKeyId"`
	SecretAccessKey string `json:"secretAccessKey"`
	SecurityToken   string `json:"securityToken"`
	Region          string `json:"region"`
	ProjectID       string `json:"projectId"`
	SSOAuth         struct {
		STSToken struct {
			AccessKeyID     string `json:"accessKeyId"`
			SecretAccessKey string `json:"secretAccessKey"`
			SecurityToken   string `json:"securityToken"`
		} `json:"stsToken"`
	} `json:"ssoAuth"`
	AgencyName       string `json:"agencyName"`
	AgencyDomainName string `json:"agencyDomainName"`
	AgencyDomainID   string `json:"agencyDomainId"`
}

// Profile modes of the CLI that change where keys are read.
const (
	profileModeSSO       = "SSO"       // keys in ssoAuth.stsToken
	profileModeECSAgency = "ecsAgency" // keys from the ECS metadata server, which this provider never asks
)

// profileKeys are the keys a profile holds, and the fields they were read from.
type profileKeys struct {
	accessKey, secretKey, securityToken string
	fields                              string
}

// keys reads the profile's access keys where its mode keeps them.
func (p cliProfile) keys() profileKeys {
	if strings.EqualFold(p.Mode, profileModeSSO) {
		s := p.SSOAuth.STSToken
		return profileKeys{s.AccessKeyID, s.SecretAccessKey, s.SecurityToken, "ssoAuth.stsToken.accessKeyId and ssoAuth.stsToken.secretAccessKey"}
	}
	return profileKeys{p.AccessKeyID, p.SecretAccessKey, p.SecurityToken, "accessKeyId and secretAccessKey"}
}

// profileError is a shared config file problem: a summary, and a detail that
// names the file and the profile.
type profileError struct {
	summary string
	detail  string
	// setting is the argument to blame when it was set in the provider block.
	setting string
}

func (e *profileError) Error() string { return e.summary + ": " + e.detail }

// expandHome replaces a leading ~ with the home directory.
func expandHome(path string, getenv func(string) string) (string, error) {
	if path != "~" && !strings.HasPrefix(path, "~/") && !strings.HasPrefix(path, `~\`) {
		return path, nil
	}
	home := getenv("HOME")
	if home == "" {
		home = getenv("USERPROFILE")
	}
	if home == "" {
		return "", errors.New("HOME is not set, so ~ cannot be expanded")
	}
	return filepath.Join(home, path[1:]), nil
}

// readSharedConfig reads and parses the file; found is false only for a file
// that does not exist.
func readSharedConfig(path, origin string) (cfg sharedConfig, found bool, perr *profileError) {
	fail := func(summary, format string, args ...any) (sharedConfig, bool, *profileError) {
		return sharedConfig{}, true, &profileError{summary: summary, detail: fmt.Sprintf(format, args...)}
	}
	data, err := fgs.ReadSmallFile(path, maxSharedConfigSize)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return sharedConfig{}, false, nil
	case errors.Is(err, fgs.ErrNotRegularFile):
		// The CLI writes a plain file; a FIFO or device could block the read forever.
		return fail("Cannot Read Shared Config File", "The shared config file %s (from %s) is not a regular file.", path, origin)
	case errors.As(err, new(*fgs.FileTooLargeError)):
		return fail("Invalid Shared Config File", "The shared config file %s (from %s) is larger than %d MiB; the Huawei Cloud CLI's are a few KiB.", path, origin, maxSharedConfigSize>>20)
	case err != nil:
		return fail("Cannot Read Shared Config File", "The shared config file %s (from %s) cannot be read: %v.", path, origin, err)
	}
	if err := json.Unmarshal(data, &cfg); err != nil {
		return fail("Invalid Shared Config File",
			"The shared config file %s (from %s) is not the Huawei Cloud CLI's JSON: %s.\n\n"+
				"It should look like {\"current\": \"default\", \"profiles\": [{\"name\": \"default\", \"accessKeyId\": \"...\", \"secretAccessKey\": \"...\"}]}.",
			path, origin, jsonProblem(err))
	}
	return cfg, true, nil
}

// jsonProblem says where the JSON went wrong without quoting the file, which holds secrets.
func jsonProblem(err error) string {
	var syntax *json.SyntaxError
	var typeErr *json.UnmarshalTypeError
	switch {
	case errors.As(err, &syntax):
		return fmt.Sprintf("invalid syntax at byte %d", syntax.Offset)
	case errors.As(err, &typeErr):
		return fmt.Sprintf("%q has the wrong type (a JSON %s)", typeErr.Field, typeErr.Value)
	}
	return "it could not be parsed"
}

// selectProfile finds the named profile, or the file's current one.
func selectProfile(cfg sharedConfig, path, name, nameOrigin string) (cliProfile, *profileError) {
	var names []string
	for _, p := range cfg.Profiles {
		names = append(names, fmt.Sprintf("%q", p.Name))
	}
	sort.Strings(names)
	available := "It has no profiles."
	if len(names) > 0 {
		available = "Its profiles are " + strings.Join(names, ", ") + "."
	}
	if name == "" {
		if cfg.Current == "" {
			return cliProfile{}, &profileError{summary: "No Profile Selected", setting: "profile",
				detail: fmt.Sprintf("The shared config file %s names no \"current\" profile, and profile (or %s) is not set. %s", path, envProfile, available)}
		}
		name, nameOrigin = cfg.Current, "the file's \"current\""
	}
	for _, p := range cfg.Profiles {
		if p.Name == name {
			return p, nil
		}
	}
	return cliProfile{}, &profileError{summary: "Profile Not Found", setting: "profile",
		detail: fmt.Sprintf("The profile %q (from %s) is not in the shared config file %s. %s", name, nameOrigin, path, available)}
}

// checkProfileKeys explains a profile this provider cannot authenticate with.
func checkProfileKeys(p cliProfile, path string) *profileError {
	if strings.EqualFold(p.Mode, profileModeECSAgency) {
		return &profileError{summary: "Unsupported Profile Mode",
			detail: fmt.Sprintf("The profile %q in %s has mode %q, which gets credentials from the ECS metadata server. "+
				"This provider never asks the metadata server; give the profile access keys, or set access_key and secret_key (or HW_ACCESS_KEY and HW_SECRET_KEY).",
				p.Name, path, p.Mode)}
	}
	k := p.keys()
	if k.accessKey == "" || k.secretKey == "" {
		return &profileError{summary: "Profile Has No Access Keys",
			detail: fmt.Sprintf("The profile %q in %s has no access key pair: %s must both be set. "+
				"If the CLI encrypts its credentials, this provider cannot read them: run \"hcloud configure set --cli-auth-encrypt=false\" and set the keys again.",
				p.Name, path, k.fields)}
	}
	return nil
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
