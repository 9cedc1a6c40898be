# Image of the manager, for docker-build, docker-push and deploy.
IMG ?= controller:latest
CONTAINER_TOOL ?= docker
KUBECTL ?= kubectl

SHELL = /usr/bin/env bash -o pipefail
.SHELLFLAGS = -ec

.PHONY: all
all: build

##@ General

.PHONY: help
help: ## Display this help.
	@awk 'BEGIN {FS = ":.*##"; printf "\nUsage:\n  make \033[36m<target>\033[0m\n"} /^[a-zA-Z_0-9-]+:.*?##/ { printf "  \033[36m%-15s\033[0m %s\n", $$1, $$2 } /^##@/ { printf "\n\033[1m%s\033[0m\n", substr($$0, 5) } ' $(MAKEFILE_LIST)

##@ Try it

.PHONY: demo
demo: ## Converge the sample organization on a local API server and the AWS simulator.
	KUBEBUILDER_ASSETS="$$(./hack/envtest-assets.sh)" go run ./cmd/demo $(DEMO_ARGS)

.PHONY: awssim
awssim: ## Run the AWS simulator on 127.0.0.1:4566.
	go run ./cmd/awssim $(AWSSIM_ARGS)

##@ Development

.PHONY: manifests
manifests: controller-gen ## Generate the CRDs and the manager's ClusterRole.
	"$(CONTROLLER_GEN)" rbac:roleName=manager-role crd:allowDangerousTypes=true paths="./..." output:crd:artifacts:config=config/crd/bases

.PHONY: generate
generate: controller-gen ## Generate the DeepCopy methods.
	"$(CONTROLLER_GEN)" object:headerFile="hack/boilerplate.go.txt",year=2026 paths="./..."

.PHONY: awsmodels
awsmodels: ## Extract the AWS model tables from AWS_MODELS (the Smithy JSON models) into internal/awssim/model.
	go run ./hack/awsmodelgen -models "$(AWS_MODELS)"
AWS_MODELS ?= ../shared/aws-models

.PHONY: fmt
fmt: ## Run go fmt against code.
	go fmt ./...

.PHONY: vet
vet: ## Run go vet against code.
	go vet ./...

.PHONY: test
test: manifests generate fmt vet ## Run every test (builds kube-apiserver and etcd once, into ~/.cache).
	KUBEBUILDER_ASSETS="$$(./hack/envtest-assets.sh)" go test ./... -count=1 $(TEST_ARGS)

.PHONY: bench
bench: ## Run the benchmarks.
	KUBEBUILDER_ASSETS="$$(./hack/envtest-assets.sh)" go test ./... -run '^$$' -bench . -benchmem

.PHONY: bench-scale
bench-scale: ## Measure the operator at scale: 50 objects, then 1,000 accounts and 5,000 objects (about half an hour; not part of test).
	KUBEBUILDER_ASSETS="$$(./hack/envtest-assets.sh)" go test -tags scale ./internal/scale -run '^$$' -bench . -benchtime 1x -timeout 180m $(BENCH_ARGS)

.PHONY: lint
lint: golangci-lint ## Run golangci-lint.
	"$(GOLANGCI_LINT)" run

##@ Build

.PHONY: build
build: manifests generate fmt vet ## Build the manager and simulator binaries.
	go build -o bin/manager ./cmd
	go build -o bin/awssim ./cmd/awssim

.PHONY: run
run: manifests generate fmt vet ## Run the manager against the cluster of your kubeconfig.
	go run ./cmd $(RUN_ARGS)

.PHONY: docker-build
docker-build: ## Build the manager image.
	$(CONTAINER_TOOL) build -t ${IMG} .

.PHONY: docker-push
docker-push: ## Push the manager image.
	$(CONTAINER_TOOL) push ${IMG}

.PHONY: build-installer
build-installer: manifests generate kustomize ## Write dist/install.yaml with the CRDs and the deployment.
	mkdir -p dist
	cd config/manager && "$(KUSTOMIZE)" edit set image controller=${IMG}
	"$(KUSTOMIZE)" build config/default > dist/install.yaml

##@ Deployment

.PHONY: install
install: manifests kustomize ## Install the CRDs into the cluster of your kubeconfig.
	"$(KUSTOMIZE)" build config/crd | "$(KUBECTL)" apply -f -

.PHONY: uninstall
uninstall: manifests kustomize ## Remove the CRDs from the cluster of your kubeconfig.
	"$(KUSTOMIZE)" build config/crd | "$(KUBECTL)" delete --ignore-not-found -f -

.PHONY: deploy
deploy: manifests kustomize ## Deploy the operator to the cluster of your kubeconfig.
	cd config/manager && "$(KUSTOMIZE)" edit set image controller=${IMG}
	"$(KUSTOMIZE)" build config/default | "$(KUBECTL)" apply -f -

.PHONY: undeploy
undeploy: kustomize ## Remove the operator from the cluster of your kubeconfig.
	"$(KUSTOMIZE)" build config/default | "$(KUBECTL)" delete --ignore-not-found -f -

##@ Dependencies

LOCALBIN ?= $(shell pwd)/bin
$(LOCALBIN):
	mkdir -p "$(LOCALBIN)"

KUSTOMIZE ?= $(LOCALBIN)/kustomize
CONTROLLER_GEN ?= $(LOCALBIN)/controller-gen
GOLANGCI_LINT = $(LOCALBIN)/golangci-lint

KUSTOMIZE_VERSION ?= v5.8.1
CONTROLLER_TOOLS_VERSION ?= v0.23.0
GOLANGCI_LINT_VERSION ?= v2.13.1

.PHONY: kustomize
kustomize: $(KUSTOMIZE) ## Install kustomize locally if necessary.
$(KUSTOMIZE): $(LOCALBIN)
	$(call go-install-tool,$(KUSTOMIZE),sigs.k8s.io/kustomize/kustomize/v5,$(KUSTOMIZE_VERSION))

.PHONY: controller-gen
controller-gen: $(CONTROLLER_GEN) ## Install controller-gen locally if necessary.
$(CONTROLLER_GEN): $(LOCALBIN)
	$(call go-install-tool,$(CONTROLLER_GEN),sigs.k8s.io/controller-tools/cmd/controller-gen,$(CONTROLLER_TOOLS_VERSION))

.PHONY: golangci-lint
golangci-lint: $(GOLANGCI_LINT) ## Install golangci-lint locally if necessary.
$(GOLANGCI_LINT): $(LOCALBIN)
	$(call go-install-tool,$(GOLANGCI_LINT),github.com/golangci/golangci-lint/v2/cmd/golangci-lint,$(GOLANGCI_LINT_VERSION))

# go-install-tool installs a versioned Go tool into LOCALBIN.
# $1 - target path with name of binary, $2 - package, $3 - version
define go-install-tool
@[ -f "$(1)-$(3)" ] && [ "$$(readlink -- "$(1)" 2>/dev/null)" = "$(1)-$(3)" ] || { \
set -e; \
package=$(2)@$(3) ;\
echo "Installing $${package}" ;\
rm -f "$(1)" ;\
GOBIN="$(LOCALBIN)" go install $${package} ;\
mv "$(LOCALBIN)/$$(basename "$(1)")" "$(1)-$(3)" ;\
} ;\
ln -sf "$$(realpath "$(1)-$(3)")" "$(1)"
endef

##@ Helm Deployment

## Helm binary to use for deploying the chart (installed from the Go module proxy)
HELM ?= $(LOCALBIN)/helm
HELM_VERSION ?= v3.22.0
## Namespace to deploy the Helm release
HELM_NAMESPACE ?= awsorg-system
## Name of the Helm release
HELM_RELEASE ?= awsorg-operator
## Path to the Helm chart directory
HELM_CHART_DIR ?= dist/chart
## Additional arguments to pass to helm commands
HELM_EXTRA_ARGS ?=

.PHONY: install-helm
install-helm: $(LOCALBIN) ## Install Helm locally if necessary.
	@test -x "$(HELM)" || GOBIN="$(LOCALBIN)" go install helm.sh/helm/v3/cmd/helm@$(HELM_VERSION)

.PHONY: helm-deploy
helm-deploy: install-helm ## Deploy manager to the K8s cluster via Helm. Specify an image with IMG.
	IMG="$(IMG)"; $(HELM) upgrade --install $(HELM_RELEASE) $(HELM_CHART_DIR) \
		--namespace $(HELM_NAMESPACE) \
		--create-namespace \
		--set manager.image.repository=$${IMG%:*} \
		--set manager.image.tag=$${IMG##*:} \
		--wait \
		--timeout 5m \
		$(HELM_EXTRA_ARGS)

.PHONY: helm-uninstall
helm-uninstall: ## Uninstall the Helm release from the K8s cluster.
	$(HELM) uninstall $(HELM_RELEASE) --namespace $(HELM_NAMESPACE)

.PHONY: helm-status
helm-status: ## Show Helm release status.
	$(HELM) status $(HELM_RELEASE) --namespace $(HELM_NAMESPACE)

.PHONY: helm-history
helm-history: ## Show Helm release history.
	$(HELM) history $(HELM_RELEASE) --namespace $(HELM_NAMESPACE)

.PHONY: helm-rollback
helm-rollback: ## Rollback to previous Helm release.
	$(HELM) rollback $(HELM_RELEASE) --namespace $(HELM_NAMESPACE)
