//go:build tools

// Package tools names the command this wrapper module builds.
package tools

import _ "helm.sh/helm/v3/cmd/helm"
