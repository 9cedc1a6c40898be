// Copyright 2026 The awsorg-operator Authors.
// SPDX-License-Identifier: Apache-2.0

// Package testenv starts what the operator runs against, for tests and the demo: a
// real kube-apiserver and etcd (envtest) with the CRDs from config/crd installed, and
// the AWS simulator on a loopback port with SDK clients pointed at it. It builds the
// envtest binaries on first use (hack/envtest-assets.sh). It holds no assertions.
package testenv

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/organizations"
	"k8s.io/client-go/rest"
	"k8s.io/client-go/tools/clientcmd"
	clientcmdapi "k8s.io/client-go/tools/clientcmd/api"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/envtest"

	"github.com/awsorg/awsorg-operator/internal/awssim"
	"github.com/awsorg/awsorg-operator/internal/manager"
)

// Env is a running API server and simulator.
type Env struct {
	Config *rest.Config
	Client client.Client
	Sim    *awssim.Server
	SimURL string
	// AWS is the SDK configuration that talks to the simulator.
	AWS aws.Config
	// Org is an Organizations client on the simulator, for assertions.
	Org *organizations.Client

	api    *envtest.Environment
	server *http.Server
}

// Root is the module's root folder.
func Root() string {
	_, file, _, _ := runtime.Caller(0)
	return filepath.Join(filepath.Dir(file), "..", "..")
}

// Assets returns the folder with kube-apiserver and etcd, building them if needed.
func Assets() (string, error) {
	if dir := os.Getenv("KUBEBUILDER_ASSETS"); dir != "" {
		return dir, nil
	}
	cmd := exec.Command("bash", filepath.Join(Root(), "hack", "envtest-assets.sh"))
	cmd.Stderr = os.Stderr
	out, err := cmd.Output()
	if err != nil {
		return "", fmt.Errorf("building the envtest binaries: %w", err)
	}
	return strings.TrimSpace(string(out)), nil
}

// Start starts the API server (with the CRDs) and the simulator.
func Start(simCfg awssim.Config) (*Env, error) {
	assets, err := Assets()
	if err != nil {
		return nil, err
	}
	e := &Env{api: &envtest.Environment{
		CRDDirectoryPaths:     []string{filepath.Join(Root(), "config", "crd", "bases")},
		ErrorIfCRDPathMissing: true,
		BinaryAssetsDirectory: assets,
	}}
	if e.Config, err = e.api.Start(); err != nil {
		return nil, fmt.Errorf("starting the API server: %w", err)
	}
	if e.Client, err = client.New(e.Config, client.Options{Scheme: manager.Scheme()}); err != nil {
		_ = e.Stop()
		return nil, err
	}
	e.Sim = awssim.New(simCfg)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		_ = e.Stop()
		return nil, err
	}
	e.SimURL = "http://" + ln.Addr().String()
	e.server = &http.Server{Handler: e.Sim}
	go func() { _ = e.server.Serve(ln) }()
	e.AWS = aws.Config{Region: "us-east-1", BaseEndpoint: aws.String(e.SimURL),
		Credentials: credentials.NewStaticCredentialsProvider("AKIASIMULATOR", "simulator", "")}
	e.Org = organizations.NewFromConfig(e.AWS)
	// The operator's clients load the default chain: give it static credentials.
	for k, v := range map[string]string{"AWS_ACCESS_KEY_ID": "AKIASIMULATOR", "AWS_SECRET_ACCESS_KEY": "simulator", "AWS_REGION": "us-east-1"} {
		if os.Getenv(k) == "" {
			_ = os.Setenv(k, v)
		}
	}
	return e, nil
}

// ManagerOptions returns operator options pointed at the simulator.
func (e *Env) ManagerOptions() manager.Options {
	o := manager.Defaults()
	o.AWS.Endpoint = e.SimURL
	// The tests change AWS by hand and look for the next resync to see it; the change
	// feed's tests turn it on.
	o.ChangeFeed = false
	return o
}

// Stop stops the simulator and the API server.
func (e *Env) Stop() error {
	if e.server != nil {
		_ = e.server.Shutdown(context.Background())
	}
	return e.api.Stop()
}

// WriteKubeconfig writes a kubeconfig for the API server into dir and returns its path,
// for binaries started with --kubeconfig.
func (e *Env) WriteKubeconfig(dir string) (string, error) {
	c := e.Config
	kc := clientcmdapi.NewConfig()
	kc.Clusters["envtest"] = &clientcmdapi.Cluster{Server: c.Host, CertificateAuthorityData: c.CAData}
	kc.AuthInfos["admin"] = &clientcmdapi.AuthInfo{ClientCertificateData: c.CertData, ClientKeyData: c.KeyData, Token: c.BearerToken}
	kc.Contexts["envtest"] = &clientcmdapi.Context{Cluster: "envtest", AuthInfo: "admin"}
	kc.CurrentContext = "envtest"
	path := filepath.Join(dir, "kubeconfig")
	return path, clientcmd.WriteToFile(*kc, path)
}

// WriteUserKubeconfig writes a kubeconfig for a user of the API server (authenticated
// by a client certificate, authorized by RBAC like anyone else) and returns its path.
func (e *Env) WriteUserKubeconfig(dir, user string, groups ...string) (string, error) {
	u, err := e.api.AddUser(envtest.User{Name: user, Groups: groups}, nil)
	if err != nil {
		return "", err
	}
	raw, err := u.KubeConfig()
	if err != nil {
		return "", err
	}
	path := filepath.Join(dir, user+".kubeconfig")
	return path, os.WriteFile(path, raw, 0o600)
}
