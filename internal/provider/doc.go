// Package provider is the huaweicloud provider block, read as the official
// Huawei Cloud provider reads it so both share one block and one
// environment: its schema, its validate-time checks and Configure
// (provider.go); each setting's fallback to the HW_* and CLOUD_SDK_*
// variables and the Huawei Cloud CLI's profile file, one step per setting
// group (config.go), with access keys taken as a set from one place
// (credentials.go), the CLI's profiles (shared_config.go) and the agency of
// assume_role and IAM's address (assume_role.go); the endpoints map, the
// SDK's region endpoints and the proxy variables (endpoints.go); and the one
// FunctionGraph client (internal/fgs), built in Configure and handed to every
// resource, ephemeral resource, action and data source as
// resources.ProviderData, without a client while an argument is unknown.
// The client's log lines go through tflog with secrets masked (logging.go);
// Configure's one DEBUG line says where each setting came from.
package provider
