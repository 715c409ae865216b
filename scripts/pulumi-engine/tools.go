//go:build tools

// Package tools pins the Pulumi engine's main packages so that this wrapper
// module's go.mod/go.sum resolve their whole dependency graph. The install
// script (scripts/install-pulumi-engine.sh) builds them with `go build`.
package tools

import (
	_ "github.com/pulumi/pulumi/pkg/v3/cmd/pulumi"
)
