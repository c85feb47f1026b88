// Command sizes prints the production Go functions over a line limit and the
// Go files over a line limit, so the size rule of the developers' guide can be
// checked by anyone: no function over 60 lines except schema declarations, no
// file over 400 lines. A function's length counts every line from `func` to
// its closing brace; a file's counts every line. Test files (_test.go) are
// left out unless -tests is given. Schema declarations (a function named
// Schema, or one returning a type of a package named schema) are listed
// apart and not counted: a schema reads best as one literal.
//
// Usage: go run ./internal/tools/sizes [-func 60] [-file 400] [-tests] [dir ...]
//
// It exits 0 whatever it finds: it measures, it does not gate.
package main
