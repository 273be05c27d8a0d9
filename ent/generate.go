// Package ent holds the generated ent client of Zirkel's data model (see ent/schema).
package ent

//go:generate go run -mod=mod entc.go
