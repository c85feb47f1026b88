package main

import (
	"io/fs"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// The documents whose claims about the tree these tests check.
var checkedDocs = []string{"README.md", "CONTRIBUTING.md", "bench/README.md", "internal/reliability/README.md"}

func readDoc(t *testing.T, name string) string {
	t.Helper()
	b, err := os.ReadFile(name)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// TestDocsNameRealMakeTargets fails when a document tells readers to run a
// make target the GNUmakefile does not have, and when the README loses the
// two commands it promises (CI runs the README's test command).
func TestDocsNameRealMakeTargets(t *testing.T) {
	targets := map[string]bool{}
	for _, m := range regexp.MustCompile(`(?m)^([a-z][a-z-]*):`).FindAllStringSubmatch(readDoc(t, "GNUmakefile"), -1) {
		targets[m[1]] = true
	}
	for _, doc := range checkedDocs {
		for _, m := range regexp.MustCompile("`(?:[A-Z_]+=\\S+ )*make ([a-z][a-z-]*)").FindAllStringSubmatch(readDoc(t, doc), -1) {
			if !targets[m[1]] {
				t.Errorf("%s names `make %s`, which the GNUmakefile does not define", doc, m[1])
			}
		}
	}
	readme := readDoc(t, "README.md")
	for _, cmd := range []string{"make demo", "make test"} {
		if !strings.Contains(readme, "\n"+cmd+" ") {
			t.Errorf("the README's commands block lacks %q", cmd)
		}
	}
	if !regexp.MustCompile(`(?m)^\s*make test(?:\s|$)`).MatchString(readDoc(t, ".ci/run")) {
		t.Error(".ci/run does not run the README's `make test`")
	}
}

// repoPath matches a code span or link target that names a path in this tree.
var repoPath = regexp.MustCompile(`^(?:\.ci|\.github|bench|cmd|docs|examples|internal|scripts|templates)/[\w/-]*(?:\.(?:go|md|sh|tf|json|yml|tmpl))?/?$|^[\w-]+\.(?:go|md|sh|tf|json|yml)$`)

// TestDocsNameRealPaths fails when a document names a file or directory of
// the repository that is not there: a renamed test, a moved package, a
// dead link. A bare file name (`urn_test.go`) must exist somewhere in the tree.
func TestDocsNameRealPaths(t *testing.T) {
	baseNames := map[string]bool{}
	if err := filepath.WalkDir(".", func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() && (d.Name() == ".git" || d.Name() == "bin") {
			return filepath.SkipDir
		}
		baseNames[d.Name()] = true
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	codeSpan := regexp.MustCompile("`([^`\n]+)`")
	link := regexp.MustCompile(`\]\(([^)#\s]+)\)`)
	for _, doc := range checkedDocs {
		text := readDoc(t, doc)
		var names []string
		for _, m := range codeSpan.FindAllStringSubmatch(text, -1) {
			names = append(names, strings.TrimRight(m[1], ".,:"))
		}
		for _, m := range link.FindAllStringSubmatch(text, -1) {
			if strings.Contains(m[1], "://") {
				continue
			}
			// Links are relative to the document, code spans to the repository's root.
			names = append(names, filepath.ToSlash(filepath.Join(filepath.Dir(doc), m[1])))
		}
		for _, name := range names {
			if !repoPath.MatchString(name) || strings.ContainsAny(name, "<>*") {
				continue
			}
			if !strings.Contains(name, "/") {
				if !baseNames[name] {
					t.Errorf("%s names %s, and no file of that name is in the tree", doc, name)
				}
				continue
			}
			if _, err := os.Stat(filepath.FromSlash(strings.TrimSuffix(name, "/"))); err != nil {
				t.Errorf("%s names %s, which does not exist", doc, name)
			}
		}
	}
}

// TestReadmeDiagnosticTitlesExist fails when the README's Errors section
// quotes a diagnostic title that no code produces, as it once promised that
// every failure was titled "Failed to Cancel Async Invocation: ...".
func TestReadmeDiagnosticTitlesExist(t *testing.T) {
	readme := readDoc(t, "README.md")
	start := strings.Index(readme, "\n## Errors\n")
	if start < 0 {
		t.Fatal("the README has no Errors section")
	}
	section := readme[start+1:]
	if end := strings.Index(section[1:], "\n## "); end >= 0 {
		section = section[:end+1]
	}
	var source strings.Builder
	if err := filepath.WalkDir("internal", func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if !d.IsDir() && strings.HasSuffix(p, ".go") && !strings.HasSuffix(p, "_test.go") {
			b, err := os.ReadFile(p)
			source.Write(b)
			return err
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	code := source.String()
	// A title is a code span of capitalised words; "Failed to <action>: <what>" is built from its action.
	title := regexp.MustCompile("`([A-Z][\\w']*(?: (?:[A-Z][\\w']*|to|the|for|of|a|an))*)(?:: <what>)?`")
	found := 0
	for _, m := range title.FindAllStringSubmatch(section, -1) {
		name, ok := strings.CutPrefix(m[1], "Failed to ")
		if !ok {
			name = m[1]
		}
		if len(strings.Fields(name)) < 2 {
			continue // a single word such as `Interrupted` is checked below
		}
		found++
		if !strings.Contains(code, `"`+name+`"`) {
			t.Errorf("the README's Errors section quotes %q, which no code in internal/ produces", m[1])
		}
	}
	for _, word := range []string{"Interrupted"} {
		if strings.Contains(section, "`"+word+"`") && !strings.Contains(code, `"`+word+`"`) {
			t.Errorf("the README's Errors section quotes %q, which no code in internal/ produces", word)
		}
	}
	if found < 15 {
		t.Errorf("found only %d diagnostic titles in the README's Errors section; has its format changed?", found)
	}
}

// TestMakeHelpListsEveryTarget fails when a GNUmakefile target lacks its
// "## target:" line, so `make help` would leave it out.
func TestMakeHelpListsEveryTarget(t *testing.T) {
	out, err := exec.Command("make", "--no-print-directory", "help").CombinedOutput()
	if err != nil {
		t.Fatalf("make help: %v\n%s", err, out)
	}
	listed := map[string]bool{}
	for _, m := range regexp.MustCompile(`(?m)^  ([a-z][a-z-]*) +\S`).FindAllStringSubmatch(string(out), -1) {
		listed[m[1]] = true
	}
	targets := regexp.MustCompile(`(?m)^([a-z][a-z-]*):`).FindAllStringSubmatch(readDoc(t, "GNUmakefile"), -1)
	for _, m := range targets {
		if m[1] != "default" && !listed[m[1]] {
			t.Errorf("make help does not list %q: give it a \"## %s: what it does\" line above it", m[1], m[1])
		}
	}
	if len(listed) < 10 || len(listed) != len(targets)-1 {
		t.Errorf("make help listed %d targets of %d:\n%s", len(listed), len(targets)-1, out)
	}
}

// TestContributingFuzzCountsMatchMakefile fails when CONTRIBUTING.md's
// account of make test's fuzz run drifts from the GNUmakefile's counts.
func TestContributingFuzzCountsMatchMakefile(t *testing.T) {
	counts := regexp.MustCompile(`(Fuzz\w+),\$\(or \$\(2\),(\d+x)\)`).FindAllStringSubmatch(readDoc(t, "GNUmakefile"), -1)
	if len(counts) < 3 {
		t.Fatalf("found %d fuzz counts in the GNUmakefile's fuzz_all; has its format changed?", len(counts))
	}
	contributing := readDoc(t, "CONTRIBUTING.md")
	for _, m := range counts {
		if !strings.Contains(contributing, "`"+m[1]+"` "+m[2]) {
			t.Errorf("CONTRIBUTING.md does not say make test runs `%s` %s, as the GNUmakefile does", m[1], m[2])
		}
	}
}

// walkthroughPort is the fixed port an earlier walkthrough used; the test
// takes it, as another program on a reader's machine might.
const walkthroughPort = "127.0.0.1:18080"

// TestReadmeWalkthroughRunsAsWritten runs the README's "Using the built
// provider" shell block with bash, as a reader pasting it would, on a
// machine set against it: a HOME and CLI configuration whose
// provider_installation block cannot install this provider, and the old
// fixed port taken. The cancel must reach the emulator the block started.
func TestReadmeWalkthroughRunsAsWritten(t *testing.T) {
	out, tmp := runReadmeBlock(t, "Using the built provider")
	dirs, _ := filepath.Glob(filepath.Join(tmp, "tmp.*"))
	if len(dirs) != 1 {
		t.Fatalf("the walkthrough's mktemp -d made %d directories in TMPDIR, want 1\n%s", len(dirs), out)
	}
	try := dirs[0]

	// fgsemu show, run by the walkthrough against its emulator, saw one cancel
	// accepted and the invocation cancelled.
	row := regexp.MustCompile(`(?m)^(\S+) +FAIL +4208 +function invocation canceled `).FindSubmatch(out)
	if row == nil || !regexp.MustCompile(`(?m)^accepted cancels: +1$`).Match(out) {
		t.Fatalf("the walkthrough's fgsemu show does not report the invocation cancelled and one accepted cancel:\n%s", out)
	}
	// The emulator the walkthrough started logged the cancel of that request.
	logged := readDoc(t, filepath.Join(try, "fgsemu.log"))
	if !regexp.MustCompile(`POST /v2/\w+/fgs/functions/\S+/cancel 200 op=cancel`).MatchString(logged) {
		t.Errorf("the walkthrough's emulator did not log an accepted cancel:\n%s", logged)
	}
	state := readDoc(t, filepath.Join(try, "terraform.tfstate"))
	if !strings.Contains(state, `"request_id": "`+string(row[1])+`"`) || !strings.Contains(state, `"cancelled": true`) {
		t.Errorf("the state does not record the cancel of %s:\n%s", row[1], state)
	}
	if strings.Contains(string(out), "Incomplete lock file information") {
		t.Errorf("terraform init warned of an incomplete lock file:\n%s", out)
	}
	// The walkthrough's last line stopped the emulator.
	if _, err := os.Stat(filepath.Join(try, "fgsemu.pid")); err == nil || !strings.Contains(string(out), "stopped") {
		t.Errorf("the walkthrough did not stop its emulator:\n%s", out)
	}
}

// TestReadmeEmulatorBlockRunsAsWritten runs the README's emulator commands:
// invoke starts an invocation that show then lists, and the emulator stops.
func TestReadmeEmulatorBlockRunsAsWritten(t *testing.T) {
	out, tmp := runReadmeBlock(t, "The emulator")
	id := regexp.MustCompile(`(?m)^([0-9a-f-]{36})$`).FindSubmatch(out)
	if id == nil || !regexp.MustCompile(`(?m)^`+string(id[1])+` +RUNNING `).Match(out) ||
		!regexp.MustCompile(`(?m)^invocations: +1 \(RUNNING 1\)$`).Match(out) || !strings.Contains(string(out), "Control API") {
		t.Fatalf("the emulator block's invoke, show and help did not print what the README says:\n%s", out)
	}
	dirs, _ := filepath.Glob(filepath.Join(tmp, "tmp.*", "fgsemu.log"))
	if len(dirs) != 1 || !strings.Contains(string(out), "stopped") {
		t.Errorf("the emulator block did not start and stop one emulator:\n%s", out)
	}
}

// runReadmeBlock runs the first sh block of the README section whose heading
// starts with heading, with bash, as a reader pasting it would, on a machine
// set against it: a HOME and CLI configuration whose provider_installation
// block cannot install this provider, and the old fixed port taken. It
// returns the output and the TMPDIR the block's mktemp -d used.
func runReadmeBlock(t *testing.T, heading string) ([]byte, string) {
	t.Helper()
	script := readmeBlock(t, heading)
	if _, err := exec.LookPath("terraform"); err != nil {
		t.Fatal("terraform is not on PATH; the README's commands run the real CLI")
	}
	if squatter, err := net.Listen("tcp", walkthroughPort); err == nil {
		t.Cleanup(func() { _ = squatter.Close() })
		go func() { // accepts and hangs up: nothing an emulator client could use
			for {
				c, err := squatter.Accept()
				if err != nil {
					return
				}
				_ = c.Close()
			}
		}()
	}

	home, tmp := t.TempDir(), t.TempDir()
	rc := filepath.Join(home, ".terraformrc")
	// A company's CLI configuration: every provider from a mirror that has not this one.
	if err := os.WriteFile(rc, []byte("provider_installation {\n  network_mirror {\n    url = \"https://127.0.0.1:1/\"\n  }\n}\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	env := []string{"HOME=" + home, "TMPDIR=" + tmp, "TF_CLI_CONFIG_FILE=" + rc, "CHECKPOINT_DISABLE=1"}
	// Go's caches and settings stay where they are, not under the new HOME.
	goVars := []string{"GOCACHE", "GOMODCACHE", "GOPATH", "GOENV"}
	goEnv, err := exec.Command("go", append([]string{"env"}, goVars...)...).Output()
	if err != nil {
		t.Fatal(err)
	}
	for i, v := range strings.Split(strings.TrimSpace(string(goEnv)), "\n") {
		env = append(env, goVars[i]+"="+v)
	}
	for _, kv := range os.Environ() {
		name, _, _ := strings.Cut(kv, "=")
		switch {
		case name == "HOME" || name == "TMPDIR" || strings.HasPrefix(name, "TF_") || strings.HasPrefix(name, "MAKE") || name == "MFLAGS":
		default:
			env = append(env, kv)
		}
	}
	t.Cleanup(func() { // an emulator left running by a failed step
		dirs, _ := filepath.Glob(filepath.Join(tmp, "tmp.*"))
		for _, dir := range dirs {
			_ = exec.Command("scripts/try.sh", "stop", dir).Run()
		}
	})

	cmd := exec.Command("bash", "-euo", "pipefail", "-c", script)
	cmd.Env = env
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("the README's %q block failed: %v\n%s", heading, err, out)
	}
	return out, tmp
}

// readmeBlock is the first sh block of the README section whose heading starts with heading.
func readmeBlock(t *testing.T, heading string) string {
	t.Helper()
	readme := readDoc(t, "README.md")
	_, section, ok := strings.Cut(readme, "\n## "+heading)
	if ok {
		section, _, _ = strings.Cut(section, "\n## ")
	}
	_, block, ok2 := strings.Cut(section, "\n```sh\n")
	block, _, ok3 := strings.Cut(block, "\n```\n")
	if !ok || !ok2 || !ok3 {
		t.Fatalf("the README has no %q section with a sh block", heading)
	}
	return block
}

// TestReadmeListsPlanTimeTitles fails when a validator the types use gives a
// diagnostic title the README's list of plan-time failures leaves out.
func TestReadmeListsPlanTimeTitles(t *testing.T) {
	summaries := map[string]string{} // validator function -> its title
	decl := regexp.MustCompile(`(?s)\nfunc (\w+)\(\) validator\.String \{\n\treturn (?:stringCheck\{\s*summary: +|oneOf\()"([^"]+)"`)
	for _, m := range decl.FindAllStringSubmatch(readDoc(t, filepath.Join("internal", "validators", "validators.go")), -1) {
		summaries[m[1]] = m[2]
	}
	files, _ := filepath.Glob(filepath.Join("internal", "resources", "*.go"))
	used := map[string]bool{}
	for _, f := range files {
		if strings.HasSuffix(f, "_test.go") {
			continue
		}
		for _, m := range regexp.MustCompile(`validators\.(\w+)\(\)`).FindAllStringSubmatch(readDoc(t, f), -1) {
			used[m[1]] = true
		}
	}
	readme := readDoc(t, "README.md")
	_, section, _ := strings.Cut(readme, "\n## Errors\n")
	list, _, _ := strings.Cut(section, "A failed")
	checked := 0
	for fn := range used {
		title, ok := summaries[fn]
		if !ok {
			continue
		}
		checked++
		if !strings.Contains(list, "`"+title+"`") {
			t.Errorf("validators.%s gives %q at plan, which the README's list of plan-time titles lacks", fn, title)
		}
	}
	if checked < 6 {
		t.Errorf("found only %d validators' titles used by internal/resources; has the code's shape changed?", checked)
	}
}
