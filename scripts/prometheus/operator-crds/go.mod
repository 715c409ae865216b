// Wrapper module pinning the Prometheus Operator source (v0.93.1, the operator of kube-prometheus-stack
// 88.5.3) with a committed go.sum: scripts/install-prometheus.sh copies its CRDs
// (example/prometheus-operator-crd) for the tests that apply phase 7's objects. Nothing is built.
module platform.local/prometheus/operator-crds

go 1.26.0

require github.com/prometheus-operator/prometheus-operator v0.93.1
