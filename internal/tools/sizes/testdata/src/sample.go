package sample

import "example.com/schema"

// short is three lines long.
func short() {
}

// long is seven lines long.
func long() int {
	a := 1
	a++
	a++
	a++
	return a
}

// attributes declares a schema, so it is not counted however long.
func attributes() map[string]schema.Attribute {
	return map[string]schema.Attribute{
		"a": nil,
		"b": nil,
		"c": nil,
		"d": nil,
	}
}

type provider struct{}

// Schema is a schema declaration by name.
func (p *provider) Schema() {
	_ = 1
	_ = 2
	_ = 3
	_ = 4
	_ = 5
}

// probeSchema only mentions a schema in its name: it is counted.
func (p *provider) probeSchema() {
	_ = 1
	_ = 2
	_ = 3
	_ = 4
	_ = 5
}
