package tfinstall

import (
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"sort"
	"strconv"
	"strings"
)

// Version is the version the mirror offers every provider at.
const Version = "0.1.0"

// Provider is a built binary and the source address configurations name it by.
type Provider struct {
	// Source is the address without the registry host, such as "fgs-tools/huaweicloud".
	Source string
	// Binary is the built provider.
	Binary string
}

// registryHosts are the hosts a source without one means: registry.terraform.io
// on Terraform, registry.opentofu.org on OpenTofu. The mirror serves both.
var registryHosts = []string{"registry.terraform.io", "registry.opentofu.org"}

// MirrorDir is where the mirror under root keeps a source's binary for this
// platform, for Terraform.
func MirrorDir(root, source string) string { return mirrorDir(root, registryHosts[0], source) }

func mirrorDir(root, host, source string) string {
	return filepath.Join(root, "mirror", host, source, Version, runtime.GOOS+"_"+runtime.GOARCH)
}

// MirrorBinary is the path the mirror under root expects a source's binary at, for Terraform.
func MirrorBinary(root, source string) string { return mirrorBinary(root, registryHosts[0], source) }

func mirrorBinary(root, host, source string) string {
	return filepath.Join(mirrorDir(root, host, source), "terraform-provider-"+typeName(source)+"_v"+Version)
}

// Install puts each provider into the mirror under root, for Terraform and
// OpenTofu alike (unless it is built there already), and writes
// root/terraformrc, whose path it returns; both CLIs read it. With
// devOverrides, the binaries are also copied to root/plugins and run from
// there, so Terraform warns that overrides are in effect.
func Install(root string, devOverrides bool, providers ...Provider) (string, error) {
	var sources, overrides []string
	for _, p := range providers {
		for _, host := range registryHosts {
			dst := mirrorBinary(root, host, p.Source)
			if err := os.MkdirAll(filepath.Dir(dst), 0o755); err != nil {
				return "", err
			}
			if p.Binary != dst {
				if err := linkOrCopy(p.Binary, dst); err != nil {
					return "", err
				}
			}
		}
		sources = append(sources, strconv.Quote(p.Source))
		if devOverrides {
			plugins := filepath.Join(root, "plugins")
			if err := os.MkdirAll(plugins, 0o755); err != nil {
				return "", err
			}
			if err := copyFile(p.Binary, filepath.Join(plugins, "terraform-provider-"+typeName(p.Source))); err != nil {
				return "", err
			}
			overrides = append(overrides, fmt.Sprintf("    %q = %q", p.Source, plugins))
		}
	}
	sort.Strings(sources)
	sort.Strings(overrides)
	var rc strings.Builder
	rc.WriteString("provider_installation {\n")
	if devOverrides {
		fmt.Fprintf(&rc, "  dev_overrides {\n%s\n  }\n", strings.Join(overrides, "\n"))
	}
	fmt.Fprintf(&rc, "  filesystem_mirror {\n    path    = %q\n    include = [%s]\n  }\n}\n",
		filepath.Join(root, "mirror"), strings.Join(sources, ", "))
	path := filepath.Join(root, "terraformrc")
	return path, os.WriteFile(path, []byte(rc.String()), 0o600)
}

// typeName is the provider type of a source: "huaweicloud" of "fgs-tools/huaweicloud".
func typeName(source string) string {
	return source[strings.LastIndexByte(source, '/')+1:]
}

// linkOrCopy hard-links src to dst, a copy's cost without its bytes, and
// copies where a link cannot be made (another file system).
func linkOrCopy(src, dst string) error {
	_ = os.Remove(dst)
	if os.Link(src, dst) == nil {
		return nil
	}
	return copyFile(src, dst)
}

func copyFile(src, dst string) error {
	in, err := os.Open(src)
	if err != nil {
		return err
	}
	defer func() { _ = in.Close() }()
	out, err := os.OpenFile(dst, os.O_CREATE|os.O_TRUNC|os.O_WRONLY, 0o755)
	if err != nil {
		return err
	}
	if _, err := io.Copy(out, in); err != nil {
		_ = out.Close()
		return err
	}
	return out.Close()
}
