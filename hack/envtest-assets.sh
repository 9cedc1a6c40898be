#!/usr/bin/env bash
# Builds the kube-apiserver and etcd binaries that envtest needs, from source through
# the Go module proxy, into a cache outside the clone, and prints the directory that
# holds them (for KUBEBUILDER_ASSETS). A warm cache makes this a no-op.
set -euo pipefail

K8S_VERSION="${ENVTEST_K8S_VERSION:-1.37.2}"
ETCD_VERSION="${ENVTEST_ETCD_VERSION:-3.6.16}"
CACHE="${XDG_CACHE_HOME:-$HOME/.cache}/awsorg-envtest"
DIR="$CACHE/k8s-$K8S_VERSION-etcd-$ETCD_VERSION"

if [[ -x "$DIR/kube-apiserver" && -x "$DIR/etcd" ]]; then
  echo "$DIR"
  exit 0
fi
mkdir -p "$DIR"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
export GOFLAGS=-mod=mod GOWORK=off

if [[ ! -x "$DIR/etcd" ]]; then
  echo "Building etcd v$ETCD_VERSION (once, about a minute)..." >&2
  mkdir -p "$work/etcd"
  cat >"$work/etcd/main.go" <<'GO'
package main

import (
	"os"

	"go.etcd.io/etcd/server/v3/etcdmain"
)

func main() { etcdmain.Main(os.Args) }
GO
  (cd "$work/etcd" && go mod init envtestetcd >/dev/null 2>&1 &&
    go get "go.etcd.io/etcd/server/v3@v$ETCD_VERSION" >&2 && go mod tidy >&2 &&
    go build -o "$DIR/etcd.tmp" . >&2)
  mv "$DIR/etcd.tmp" "$DIR/etcd"
fi

if [[ ! -x "$DIR/kube-apiserver" ]]; then
  echo "Building kube-apiserver v$K8S_VERSION (once, about five minutes)..." >&2
  mkdir -p "$work/apiserver"
  gomod=$(go mod download -json "k8s.io/kubernetes@v$K8S_VERSION" | sed -n 's/.*"GoMod": "\(.*\)",*/\1/p')
  minor=$(echo "$K8S_VERSION" | cut -d. -f2)
  {
    echo "module envtestapiserver"
    echo "go 1.26.0"
    echo "require k8s.io/kubernetes v$K8S_VERSION"
    echo "replace ("
    grep -E '^\s*k8s.io/[a-z0-9-]+ => ./staging/' "$gomod" |
      awk -v v="v0.$minor.$(echo "$K8S_VERSION" | cut -d. -f3)" '{print "\t" $1 " => " $1 " " v}'
    echo ")"
  } >"$work/apiserver/go.mod"
  cat >"$work/apiserver/tools.go" <<'GO'
//go:build tools

package tools

import _ "k8s.io/kubernetes/cmd/kube-apiserver"
GO
  (cd "$work/apiserver" && go mod tidy >&2 &&
    go build -tags tools -o "$DIR/kube-apiserver.tmp" \
      -ldflags "-X k8s.io/component-base/version.gitVersion=v$K8S_VERSION -X k8s.io/component-base/version.gitMajor=1 -X k8s.io/component-base/version.gitMinor=$minor" \
      k8s.io/kubernetes/cmd/kube-apiserver >&2)
  mv "$DIR/kube-apiserver.tmp" "$DIR/kube-apiserver"
fi
echo "$DIR"
