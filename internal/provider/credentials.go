package provider

import (
	"fmt"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/fgs-tools/terraform-provider-huaweicloud/internal/fgs"
)

// keyPlace is one place that can set access keys, and how errors name each
// of its settings. Keys are taken as a set from the first place that sets
// either key, never combined across places.
type keyPlace struct {
	accessKey, secretKey, securityToken string
	// Names of the settings, such as "access_key" or "HW_ACCESS_KEY".
	akName, skName, tokenName string
	block                     bool
	// label names the place in logs and errors: "argument", a variable, a profile.
	label string
}

func (k keyPlace) setsKeys() bool { return k.accessKey != "" || k.secretKey != "" }

// akFrom and skFrom say where each key came from, as the DEBUG line and errors name them.
func (k keyPlace) akFrom() string {
	if k.block {
		return "argument"
	}
	return k.akName
}

func (k keyPlace) skFrom() string {
	if k.block {
		return "argument"
	}
	return k.skName
}

// keyPlaces are the block, the HW_* variables and the CLOUD_SDK_* ones, in
// that order. HW_SECURITY_TOKEN, the environment's only token variable,
// goes with either pair of variables.
func keyPlaces(m providerModel, getenv func(string) string) []keyPlace {
	value := func(v types.String) string {
		if v.IsNull() || v.IsUnknown() {
			return ""
		}
		return v.ValueString()
	}
	return []keyPlace{
		{accessKey: value(m.AccessKey), secretKey: value(m.SecretKey), securityToken: value(m.SecurityToken),
			akName: "access_key", skName: "secret_key", tokenName: "security_token", block: true, label: "argument"},
		{accessKey: getenv(envAccessKey), secretKey: getenv(envSecretKey), securityToken: getenv(envSecurityToken),
			akName: envAccessKey, skName: envSecretKey, tokenName: envSecurityToken, label: envAccessKey},
		{accessKey: getenv(envSDKAccessKey), secretKey: getenv(envSDKSecretKey), securityToken: getenv(envSecurityToken),
			akName: envSDKAccessKey, skName: envSDKSecretKey, tokenName: envSecurityToken, label: envSDKAccessKey},
	}
}

// profilePlace is a CLI profile's keys as a place.
func profilePlace(p *selectedProfile) keyPlace {
	k := p.keys()
	ak, sk, st := "accessKeyId", "secretAccessKey", "securityToken"
	if strings.HasPrefix(k.fields, "ssoAuth") {
		ak, sk, st = "ssoAuth.stsToken.accessKeyId", "ssoAuth.stsToken.secretAccessKey", "ssoAuth.stsToken.securityToken"
	}
	return keyPlace{accessKey: k.accessKey, secretKey: k.secretKey, securityToken: k.securityToken,
		akName: ak + " of " + p.label, skName: sk + " of " + p.label, tokenName: st + " of " + p.label, label: p.label}
}

// firstKeyPlace is the first place that sets either key, or nil.
func firstKeyPlace(places []keyPlace) *keyPlace {
	for i := range places {
		if places[i].setsKeys() {
			return &places[i]
		}
	}
	return nil
}

// resolveCredentials finds the token or the access keys, reading the CLI
// profile when it is chosen or nothing else gives credentials, and returns
// that profile for the other settings it gives.
func resolveCredentials(m providerModel, getenv func(string) string, c *resolvedConfig, diags *diag.Diagnostics) *selectedProfile {
	var tokenFrom string
	c.token, tokenFrom = setting(m.Token, getenv, envAuthToken)
	places := keyPlaces(m, getenv)
	keys := firstKeyPlace(places)
	profile, profileDiags := readProfile(m, getenv, c.token == "" && keys == nil)
	diags.Append(profileDiags...)
	if profile != nil {
		c.profile = profile.label
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
		takeKeys(places, keys, c, diags)
		c.authMethod, c.credentialsFrom = fgs.AuthAccessKey, profile.label
	case keys == nil:
		if !profileDiags.HasError() {
			diags.AddError("Missing Huawei Cloud Credentials", missingCredentialsDetail)
		}
	default:
		takeKeys(places, keys, c, diags)
		c.authMethod, c.credentialsFrom = fgs.AuthAccessKey, c.accessKeySource
	}
	checkCredentialText(*c, keys, tokenFrom, diags)
	return profile
}

// missingCredentialsDetail lists every way in, since none was found.
const missingCredentialsDetail = "No token, access key or secret key were found.\n\n" +
	"Set access_key and secret_key in the provider block, or the environment variables " +
	envAccessKey + " and " + envSecretKey + " (" + envSDKAccessKey + " and " + envSDKSecretKey + " are read last). " +
	"With temporary credentials, also set security_token or " + envSecurityToken + ". " +
	"Or set token (or " + envAuthToken + ") to an IAM token, or choose a Huawei Cloud CLI profile with profile (or " + envProfile + ") " +
	"and shared_config_file (or " + envSharedConfig + ", default " + defaultSharedConfigFile + ").\n\n" +
	"This provider never falls back to the ECS metadata server, so a missing key fails here instead of timing out later."

// takeKeys uses the place's keys as a set: both keys, and its own security
// token. Half a pair, or a security token in the block without keys there,
// is an error; a token variable beside keys from elsewhere is ignored and noted.
func takeKeys(places []keyPlace, k *keyPlace, c *resolvedConfig, diags *diag.Diagnostics) {
	if blk := places[0]; !k.block && blk.securityToken != "" {
		diags.AddAttributeError(path.Root("security_token"), "Security Token Without Its Keys",
			fmt.Sprintf("security_token is set in the provider block, but access_key and secret_key are not; the keys come from %s. "+
				"A security token belongs to the temporary keys it was issued with: set access_key and secret_key beside it, "+
				"or set it where the keys are set (%s).", k.label, k.tokenName))
		return
	}
	switch {
	case k.secretKey == "":
		diags.AddAttributeError(path.Root("secret_key"), "Missing Secret Key",
			fmt.Sprintf("An access key is set (from %s) but no secret key. Set secret_key in the provider block or %s, in the same place as the access key: "+
				"access keys are taken as a pair from the first place that sets either (the provider block, then %s and %s, then %s and %s, then the CLI profile).%s",
				k.akFrom(), pairVariable(k.skName, envSecretKey), envAccessKey, envSecretKey, envSDKAccessKey, envSDKSecretKey,
				elsewhere(places, k, func(p keyPlace) (string, string) { return p.secretKey, p.skName })))
		return
	case k.accessKey == "":
		diags.AddAttributeError(path.Root("access_key"), "Missing Access Key",
			fmt.Sprintf("A secret key is set (from %s) but no access key. Set access_key in the provider block or %s, in the same place as the secret key: "+
				"access keys are taken as a pair from the first place that sets either (the provider block, then %s and %s, then %s and %s, then the CLI profile).%s",
				k.skFrom(), pairVariable(k.akName, envAccessKey), envAccessKey, envSecretKey, envSDKAccessKey, envSDKSecretKey,
				elsewhere(places, k, func(p keyPlace) (string, string) { return p.accessKey, p.akName })))
		return
	}
	c.accessKey, c.secretKey, c.securityToken = k.accessKey, k.secretKey, k.securityToken
	c.accessKeySource, c.secretKeySource = k.akFrom(), k.skFrom()
	if k.securityToken != "" {
		c.securityTokenFrom = k.tokenName
		if k.block {
			c.securityTokenFrom = "argument"
		}
	}
	if env := places[1].securityToken; env != "" && k.tokenName != envSecurityToken {
		c.ignoredSecurityToken = envSecurityToken + " (the access keys come from " + k.label + ")"
	}
}

// pairVariable is the variable that completes a pair: the place's own, or
// the HW_* one when the missing half is in the block.
func pairVariable(name, hw string) string {
	if strings.HasPrefix(name, "HW_") || strings.HasPrefix(name, "CLOUD_SDK_") {
		return name
	}
	return hw
}

// elsewhere notes a missing half that a later place sets, which is not used.
func elsewhere(places []keyPlace, k *keyPlace, half func(keyPlace) (value, name string)) string {
	for _, p := range places {
		if v, name := half(p); p.label != k.label && v != "" {
			return fmt.Sprintf(" %s is set too, but it is not combined with a key from another place.", name)
		}
	}
	return ""
}

// checkCredentialText refuses a used key, secret or token with white space
// around it or a control character in it, naming where it was set.
func checkCredentialText(c resolvedConfig, k *keyPlace, tokenFrom string, diags *diag.Diagnostics) {
	type setting struct {
		value, name, summary string
		attr                 string
		block                bool
	}
	var settings []setting
	if c.token != "" {
		settings = append(settings, setting{c.token, tokenFrom, "Invalid Token", "token", tokenFrom == "argument"})
	} else if k != nil {
		settings = append(settings,
			setting{k.accessKey, k.akName, "Invalid Access Key", "access_key", k.block},
			setting{k.secretKey, k.skName, "Invalid Secret Key", "secret_key", k.block},
			setting{k.securityToken, k.tokenName, "Invalid Security Token", "security_token", k.block})
	}
	for _, s := range settings {
		err := fgs.CheckCredentialText(s.value)
		if err == nil {
			continue
		}
		if s.name == "argument" {
			s.name = s.attr
		}
		diags.AddAttributeError(path.Root(s.attr), s.summary, credentialTextDetail(s.name, err, s.block, s.attr))
	}
}

// credentialTextDetail says which setting holds a bad credential and how to
// fix it, without quoting the value.
func credentialTextDetail(name string, err error, block bool, attr string) string {
	fix := fmt.Sprintf("Remove it where %s is set: export the variable without it, such as %s=\"$(tr -d '[:space:]' < file)\".", name, name)
	switch {
	case block:
		fix = fmt.Sprintf("Wrap the value in trimspace(), such as %s = trimspace(file(\"%s.txt\")).", attr, attr)
	case strings.Contains(name, " of profile "):
		fix = "Remove it from the profile in the Huawei Cloud CLI's config file (hcloud configure)."
	}
	return fmt.Sprintf("%s is refused: %s. HTTP cannot carry it, and nothing was sent. %s\n\nThe value itself is not shown, as it is a secret.", name, err, fix)
}
