package main

import (
	"flag"
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
)

func main() {
	funcLimit := flag.Int("func", 60, "report functions with more lines than this")
	fileLimit := flag.Int("file", 400, "report files with more lines than this")
	tests := flag.Bool("tests", false, "measure _test.go files too")
	flag.Parse()
	roots := flag.Args()
	if len(roots) == 0 {
		roots = []string{"."}
	}
	var all report
	for _, root := range roots {
		r, err := measureTree(root, *tests)
		if err != nil {
			fmt.Fprintln(os.Stderr, "sizes:", err)
			os.Exit(2)
		}
		all.funcs = append(all.funcs, r.funcs...)
		all.files = append(all.files, r.files...)
		all.funcCount += r.funcCount
		all.schemas = append(all.schemas, r.schemas...)
	}
	all.print(os.Stdout, *funcLimit, *fileLimit)
}

// measured is one function or file and its length in lines.
type measured struct {
	name  string
	lines int
}

// report holds every function and file measured; print filters by limit.
type report struct {
	funcs     []measured
	files     []measured
	funcCount int
	schemas   []measured
}

// measureTree measures every .go file under root, skipping hidden and
// testdata directories (fixtures, not code) and vendor.
func measureTree(root string, tests bool) (report, error) {
	var r report
	err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			name := d.Name()
			if path != root && (strings.HasPrefix(name, ".") || name == "testdata" || name == "vendor") {
				return filepath.SkipDir
			}
			return nil
		}
		if !strings.HasSuffix(path, ".go") || (!tests && strings.HasSuffix(path, "_test.go")) {
			return nil
		}
		return r.measureFile(path)
	})
	return r, err
}

// measureFile adds the file's length and each non-schema function's length.
func (r *report) measureFile(path string) error {
	fset := token.NewFileSet()
	file, err := parser.ParseFile(fset, path, nil, parser.SkipObjectResolution)
	if err != nil {
		return err
	}
	r.files = append(r.files, measured{name: path, lines: fset.File(file.Pos()).LineCount()})
	for _, decl := range file.Decls {
		fn, ok := decl.(*ast.FuncDecl)
		if !ok || fn.Body == nil {
			continue
		}
		r.funcCount++
		start := fset.Position(fn.Pos()).Line
		m := measured{
			name:  fmt.Sprintf("%s:%d %s", path, start, funcName(fn)),
			lines: fset.Position(fn.End()).Line - start + 1,
		}
		if isSchemaDeclaration(fn) {
			r.schemas = append(r.schemas, m)
			continue
		}
		r.funcs = append(r.funcs, m)
	}
	return nil
}

// isSchemaDeclaration reports a function that declares a Terraform schema.
func isSchemaDeclaration(fn *ast.FuncDecl) bool {
	if fn.Name.Name == "Schema" {
		return true
	}
	if fn.Type.Results == nil {
		return false
	}
	found := false
	for _, field := range fn.Type.Results.List {
		ast.Inspect(field.Type, func(n ast.Node) bool {
			if sel, ok := n.(*ast.SelectorExpr); ok {
				if pkg, ok := sel.X.(*ast.Ident); ok && pkg.Name == "schema" {
					found = true
				}
			}
			return !found
		})
	}
	return found
}

// funcName is Name or (Receiver).Name.
func funcName(fn *ast.FuncDecl) string {
	if fn.Recv == nil || len(fn.Recv.List) == 0 {
		return fn.Name.Name
	}
	recv := fn.Recv.List[0].Type
	if star, ok := recv.(*ast.StarExpr); ok {
		recv = star.X
	}
	if index, ok := recv.(*ast.IndexExpr); ok {
		recv = index.X
	}
	if ident, ok := recv.(*ast.Ident); ok {
		return "(" + ident.Name + ")." + fn.Name.Name
	}
	return fn.Name.Name
}

// print lists what is over each limit, longest first, then the totals.
func (r report) print(w io.Writer, funcLimit, fileLimit int) {
	long := over(r.funcs, funcLimit)
	big := over(r.files, fileLimit)
	fmt.Fprintf(w, "functions over %d lines (schema declarations excluded):\n", funcLimit)
	for _, m := range long {
		fmt.Fprintf(w, "  %5d  %s\n", m.lines, m.name)
	}
	fmt.Fprintf(w, "schema declarations over %d lines (not counted):\n", funcLimit)
	for _, m := range over(r.schemas, funcLimit) {
		fmt.Fprintf(w, "  %5d  %s\n", m.lines, m.name)
	}
	fmt.Fprintf(w, "files over %d lines:\n", fileLimit)
	for _, m := range big {
		fmt.Fprintf(w, "  %5d  %s\n", m.lines, m.name)
	}
	total := 0
	for _, m := range r.files {
		total += m.lines
	}
	fmt.Fprintf(w, "%d of %d functions over %d lines, %d of %d files over %d lines, %d lines in all\n",
		len(long), r.funcCount, funcLimit, len(big), len(r.files), fileLimit, total)
}

// over returns the entries longer than limit, longest first.
func over(all []measured, limit int) []measured {
	var out []measured
	for _, m := range all {
		if m.lines > limit {
			out = append(out, m)
		}
	}
	sort.SliceStable(out, func(i, j int) bool {
		if out[i].lines != out[j].lines {
			return out[i].lines > out[j].lines
		}
		return out[i].name < out[j].name
	})
	return out
}
