// Command pulumi-language-nodejs is a small Node.js language host for the
// Pulumi CLI.
//
// Why this exists: the upstream host is its own Go module
// (github.com/pulumi/pulumi/sdk/nodejs/cmd/pulumi-language-nodejs/v3) that has
// no tags, so only a pseudo-version of the release commit could be fetched.
// The Go module proxy reachable here serves no version of it (every query,
// @latest and the version list answer "403 This module version is not
// available"), and the release commit's hash is not published in the module's
// .info.  The host is a thin launcher: it serves the LanguageRuntime gRPC API
// and runs the JavaScript side shipped in the @pulumi/pulumi npm package
// (`node @pulumi/pulumi/cmd/run ...` for a program) with the engine's
// arguments.  This is our own implementation of that launcher, built by
// scripts/infra.sh against github.com/pulumi/pulumi/sdk/v3 at the CLI's
// version.
//
// It supports what `pulumi up/preview/destroy/refresh/stack/about` need for a
// nodejs/TypeScript project (Handshake, GetPluginInfo, GetRequiredPlugins, Run,
// InstallDependencies, About, GetProgramDependencies), and RunPlugin, which runs
// a resource plugin written in Node.js or TypeScript (a folder with a
// PulumiPlugin.yaml saying `runtime: nodejs`, such as this package's plugin/
// folder, for `pulumi package add|get-schema <folder>` and for the programs of
// other languages that use it).  It does not implement codegen
// (GenerateProgram/Project/Package, Pack, Link: Node.js cannot be the target
// language of `pulumi package add`), `pulumi new` templates or policy packs.
package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/pulumi/pulumi/sdk/v3/go/common/util/rpcutil"
	pulumirpc "github.com/pulumi/pulumi/sdk/v3/proto/go"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/types/known/emptypb"
)

// version is set with -ldflags "-X main.version=..."
var version = "0.0.0-dev"

const (
	runModule = "@pulumi/pulumi/cmd/run"
	// the plugin launcher: loads the plugin folder, serves its components as a
	// provider and prints the provider's port as its first line of stdout
	runPluginModule = "@pulumi/pulumi/cmd/run-plugin"
	// exit code of the run script after it already reported an error to the user
	exitAlreadyReported = 32
)

type host struct {
	pulumirpc.UnimplementedLanguageRuntimeServer
	mu     sync.Mutex
	engine string
}

func main() {
	engine := ""
	args := os.Args[1:]
	for i := 0; i < len(args); i++ {
		a := args[i]
		if a == "--version" || a == "-version" {
			fmt.Println(version)
			return
		}
		if strings.HasPrefix(a, "-") {
			name := strings.TrimLeft(a, "-")
			if !strings.Contains(name, "=") {
				switch name {
				case "tracing", "root", "binary", "nodeargs", "packagemanager":
					i++ // flag with a separate value
				}
			}
			continue
		}
		engine = a
	}
	h := &host{engine: engine}
	handle, err := rpcutil.ServeWithOptions(rpcutil.ServeOptions{
		Init: func(s *grpc.Server) error {
			pulumirpc.RegisterLanguageRuntimeServer(s, h)
			return nil
		},
		Options: rpcutil.OpenTracingServerInterceptorOptions(nil),
	})
	if err != nil {
		fmt.Fprintf(os.Stderr, "pulumi-language-nodejs: could not start the RPC server: %v\n", err)
		os.Exit(1)
	}
	fmt.Printf("%d\n", handle.Port)
	if err := <-handle.Done; err != nil {
		fmt.Fprintf(os.Stderr, "pulumi-language-nodejs: RPC server stopped: %v\n", err)
		os.Exit(1)
	}
}

func (h *host) engineAddr() string {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.engine
}

func (h *host) Handshake(ctx context.Context, req *pulumirpc.LanguageHandshakeRequest) (*pulumirpc.LanguageHandshakeResponse, error) {
	if req.GetEngineAddress() != "" {
		h.mu.Lock()
		h.engine = req.GetEngineAddress()
		h.mu.Unlock()
	}
	return &pulumirpc.LanguageHandshakeResponse{}, nil
}

func (h *host) GetPluginInfo(ctx context.Context, _ *emptypb.Empty) (*pulumirpc.PluginInfo, error) {
	return &pulumirpc.PluginInfo{Version: version}, nil
}

func programDir(info *pulumirpc.ProgramInfo, fallbacks ...string) string {
	if d := info.GetProgramDirectory(); d != "" {
		return d
	}
	for _, f := range fallbacks {
		if f != "" {
			if abs, err := filepath.Abs(f); err == nil {
				return abs
			}
		}
	}
	wd, _ := os.Getwd()
	return wd
}

// nodeModulesDir finds the node_modules folder that node would resolve from dir.
func nodeModulesDir(dir string) string {
	for d := dir; ; d = filepath.Dir(d) {
		nm := filepath.Join(d, "node_modules")
		if st, err := os.Stat(nm); err == nil && st.IsDir() {
			return nm
		}
		if filepath.Dir(d) == d {
			return ""
		}
	}
}

type packageJSON struct {
	Name            string            `json:"name"`
	Version         string            `json:"version"`
	Dependencies    map[string]string `json:"dependencies"`
	DevDependencies map[string]string `json:"devDependencies"`
	Pulumi          struct {
		Resource bool   `json:"resource"`
		Name     string `json:"name"`
		Version  string `json:"version"`
		Server   string `json:"server"`
	} `json:"pulumi"`
}

func readPackageJSON(path string) (*packageJSON, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var p packageJSON
	if err := json.Unmarshal(b, &p); err != nil {
		return nil, err
	}
	return &p, nil
}

// scanPlugins walks a node_modules tree (following symlinks, each real folder once)
// and collects the resource plugins that packages declare in package.json "pulumi".
func scanPlugins(nm string, seen map[string]bool, out map[string]*pulumirpc.PluginDependency) {
	real, err := filepath.EvalSymlinks(nm)
	if err != nil || seen[real] {
		return
	}
	seen[real] = true
	entries, err := os.ReadDir(nm)
	if err != nil {
		return
	}
	var pkgs []string
	for _, e := range entries {
		n := e.Name()
		if strings.HasPrefix(n, ".") {
			continue
		}
		if strings.HasPrefix(n, "@") {
			sub, err := os.ReadDir(filepath.Join(nm, n))
			if err != nil {
				continue
			}
			for _, s := range sub {
				pkgs = append(pkgs, filepath.Join(nm, n, s.Name()))
			}
			continue
		}
		pkgs = append(pkgs, filepath.Join(nm, n))
	}
	for _, p := range pkgs {
		if pj, err := readPackageJSON(filepath.Join(p, "package.json")); err == nil && pj.Pulumi.Resource {
			name := pj.Pulumi.Name
			if name == "" {
				name = strings.TrimPrefix(strings.TrimPrefix(pj.Name, "@pulumi/"), "@")
			}
			ver := pj.Pulumi.Version
			if ver == "" {
				ver = pj.Version
			}
			if ver != "" && !strings.HasPrefix(ver, "v") {
				ver = "v" + ver
			}
			out[name+"@"+ver] = &pulumirpc.PluginDependency{Name: name, Kind: "resource", Version: ver, Server: pj.Pulumi.Server}
		}
		if st, err := os.Stat(filepath.Join(p, "node_modules")); err == nil && st.IsDir() {
			scanPlugins(filepath.Join(p, "node_modules"), seen, out)
		}
	}
}

func (h *host) GetRequiredPlugins(ctx context.Context, req *pulumirpc.GetRequiredPluginsRequest) (*pulumirpc.GetRequiredPluginsResponse, error) {
	dir := programDir(req.GetInfo(), req.GetProgram(), req.GetPwd())
	found := map[string]*pulumirpc.PluginDependency{}
	if nm := nodeModulesDir(dir); nm != "" {
		scanPlugins(nm, map[string]bool{}, found)
	}
	keys := make([]string, 0, len(found))
	for k := range found {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	resp := &pulumirpc.GetRequiredPluginsResponse{}
	for _, k := range keys {
		resp.Plugins = append(resp.Plugins, found[k])
	}
	return resp, nil
}

// resolveRunScript finds the program runner, @pulumi/pulumi/cmd/run as node
// resolves it from dir, or $PULUMI_LANGUAGE_NODEJS_RUN_PATH (a testing override
// of the runner, as upstream).
func resolveRunScript(nodeBin, dir string) (string, error) {
	if p := os.Getenv("PULUMI_LANGUAGE_NODEJS_RUN_PATH"); p != "" && filepath.IsAbs(p) {
		return p, nil
	}
	mod := runModule
	if p := os.Getenv("PULUMI_LANGUAGE_NODEJS_RUN_PATH"); p != "" {
		mod = p
	}
	return resolveModule(nodeBin, dir, mod)
}

// resolveModule is node's require.resolve(mod) from dir.
func resolveModule(nodeBin, dir, mod string) (string, error) {
	cmd := exec.Command(nodeBin, "-e", fmt.Sprintf("console.log(require.resolve(%q))", mod))
	cmd.Dir = dir
	out, err := cmd.Output()
	if err != nil {
		return "", err
	}
	return strings.TrimSpace(string(out)), nil
}

func optString(opts map[string]any, key string) string {
	if v, ok := opts[key]; ok {
		switch t := v.(type) {
		case string:
			return t
		case bool:
			return strconv.FormatBool(t)
		case float64:
			return strconv.FormatFloat(t, 'f', -1, 64)
		}
	}
	return ""
}

// runtimeOptions are the `runtime: {options: ...}` of Pulumi.yaml or PulumiPlugin.yaml.
func runtimeOptions(info *pulumirpc.ProgramInfo) map[string]any {
	if info.GetOptions() != nil {
		return info.GetOptions().AsMap()
	}
	return map[string]any{}
}

// typescriptEnv tells the runners whether to register ts-node (the
// `typescript` option, on unless false) and with which tsconfig.
func typescriptEnv(opts map[string]any) []string {
	ts := "true"
	if v, ok := opts["typescript"].(bool); ok && !v {
		ts = "false"
	}
	env := []string{"PULUMI_NODEJS_TYPESCRIPT=" + ts}
	if v := optString(opts, "tsconfig"); v != "" {
		env = append(env, "PULUMI_NODEJS_TSCONFIG_PATH="+v)
	}
	return env
}

func (h *host) Run(ctx context.Context, req *pulumirpc.RunRequest) (*pulumirpc.RunResponse, error) {
	nodeBin, err := exec.LookPath("node")
	if err != nil {
		return &pulumirpc.RunResponse{Error: "could not find node on the $PATH: " + err.Error()}, nil
	}
	info := req.GetInfo()
	dir := programDir(info, req.GetPwd(), req.GetProgram())
	pwd := req.GetPwd()
	if pwd == "" {
		pwd = dir
	}
	runPath, err := resolveRunScript(nodeBin, dir)
	if err != nil {
		return &pulumirpc.RunResponse{Error: "It looks like the Pulumi SDK has not been installed. Have you run npm install or yarn install?"}, nil
	}
	opts := runtimeOptions(info)

	var args []string
	args = append(args, strings.Fields(optString(opts, "nodeargs"))...)
	args = append(args, runPath,
		"--monitor", req.GetMonitorAddress(),
		"--project", req.GetProject(),
		"--stack", req.GetStack(),
		"--pwd", pwd)
	if e := h.engineAddr(); e != "" {
		args = append(args, "--engine", e)
	}
	if o := req.GetOrganization(); o != "" {
		args = append(args, "--organization", o)
	}
	if r := info.GetRootDirectory(); r != "" {
		args = append(args, "--root-directory", r)
	}
	if req.GetDryRun() {
		args = append(args, "--dry-run")
	}
	if p := req.GetParallel(); p > 0 {
		args = append(args, "--parallel", strconv.Itoa(int(p)))
	}
	entry := info.GetEntryPoint()
	if entry == "" {
		entry = req.GetProgram()
	}
	switch {
	case entry == "" || entry == ".":
		if filepath.Clean(pwd) == filepath.Clean(dir) {
			entry = "."
		} else {
			entry = dir
		}
	case !filepath.IsAbs(entry):
		entry = filepath.Join(dir, entry)
	}
	args = append(args, entry)
	args = append(args, req.GetArgs()...)

	config := req.GetConfig()
	if config == nil {
		config = map[string]string{}
	}
	cfgJSON, err := json.Marshal(config)
	if err != nil {
		return nil, err
	}
	secretKeys := req.GetConfigSecretKeys()
	if secretKeys == nil {
		secretKeys = []string{}
	}
	secretJSON, err := json.Marshal(secretKeys)
	if err != nil {
		return nil, err
	}
	env := append(os.Environ(),
		"PULUMI_CONFIG="+string(cfgJSON),
		"PULUMI_CONFIG_SECRET_KEYS="+string(secretJSON),
	)
	env = append(env, typescriptEnv(opts)...)

	cmd := exec.Command(nodeBin, args...)
	cmd.Dir = pwd
	cmd.Env = env
	cmd.Stdout = os.Stdout
	cmd.Stderr = os.Stderr
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if err := cmd.Start(); err != nil {
		return &pulumirpc.RunResponse{Error: "could not start node: " + err.Error()}, nil
	}
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	select {
	case err = <-done:
	case <-ctx.Done():
		_ = syscall.Kill(-cmd.Process.Pid, syscall.SIGTERM)
		err = <-done
	}
	if err == nil {
		return &pulumirpc.RunResponse{}, nil
	}
	var exitErr *exec.ExitError
	if errors.As(err, &exitErr) {
		code := exitErr.ExitCode()
		if code == exitAlreadyReported {
			return &pulumirpc.RunResponse{Bail: true}, nil
		}
		if code < 0 {
			return &pulumirpc.RunResponse{Error: "Program exited unexpectedly: " + err.Error()}, nil
		}
		return &pulumirpc.RunResponse{Error: fmt.Sprintf("Program exited with non-zero exit code: %d", code)}, nil
	}
	return &pulumirpc.RunResponse{Error: "Problem executing program: " + err.Error()}, nil
}

// RunPlugin runs a plugin folder (PulumiPlugin.yaml with `runtime: nodejs`) as
// `node [nodeargs] @pulumi/pulumi/cmd/run-plugin <folder> <args...>` in the
// engine's working directory, with the engine's environment, and streams its
// stdout (whose first line is the provider's port) and stderr back.  The
// process group is killed when the engine cancels the call (it is done with
// the provider).  A non-zero exit is an error; a normal exit ends the stream.
func (h *host) RunPlugin(req *pulumirpc.RunPluginRequest, srv grpc.ServerStreamingServer[pulumirpc.RunPluginResponse]) error {
	if req.GetKind() == "analyzer" {
		return status.Error(codes.Unimplemented, "policy packs are not supported by this language host")
	}
	nodeBin, err := exec.LookPath("node")
	if err != nil {
		return status.Errorf(codes.FailedPrecondition, "could not find node on the $PATH: %v", err)
	}
	info := req.GetInfo()
	dir := programDir(info, req.GetProgram(), req.GetPwd())
	runPath, err := resolveModule(nodeBin, dir, runPluginModule)
	if err != nil {
		return status.Errorf(codes.FailedPrecondition,
			"could not resolve %s from %s: is @pulumi/pulumi installed where node finds it from there?", runPluginModule, dir)
	}
	opts := runtimeOptions(info)
	var args []string
	args = append(args, strings.Fields(optString(opts, "nodeargs"))...)
	args = append(args, runPath, dir)
	args = append(args, req.GetArgs()...)

	env := req.GetEnv()
	if len(env) == 0 {
		env = os.Environ()
	}
	env = append(env, typescriptEnv(opts)...)

	closer, stdout, stderr, err := rpcutil.MakeRunPluginStreams(srv, false)
	if err != nil {
		return err
	}
	cmd := exec.Command(nodeBin, args...)
	cmd.Dir = req.GetPwd()
	if cmd.Dir == "" {
		cmd.Dir = dir
	}
	cmd.Env = env
	cmd.Stdout = stdout
	cmd.Stderr = stderr
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if err := cmd.Start(); err != nil {
		_ = closer.Close()
		return fmt.Errorf("could not start node: %w", err)
	}
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	select {
	case err = <-done:
	case <-srv.Context().Done():
		// the engine is done with the provider: stop it (and what it started)
		_ = syscall.Kill(-cmd.Process.Pid, syscall.SIGTERM)
		select {
		case err = <-done:
		case <-time.After(5 * time.Second):
			_ = syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
			err = <-done
		}
	}
	if cerr := closer.Close(); err == nil && cerr != nil {
		return cerr
	}
	if err == nil {
		return nil
	}
	var exitErr *exec.ExitError
	if errors.As(err, &exitErr) && exitErr.ExitCode() > 0 {
		return fmt.Errorf("Program exited with non-zero exit code: %d", exitErr.ExitCode())
	}
	return fmt.Errorf("Problem executing plugin: %w", err)
}

// InstallDependencies runs `npm install` in a program folder with a
// package.json.  A plugin folder whose @pulumi/pulumi already resolves (this
// package's plugin/ uses the package's own node_modules) is left alone: an
// install would reach the network and write a lock file into it.
func (h *host) InstallDependencies(req *pulumirpc.InstallDependenciesRequest, srv grpc.ServerStreamingServer[pulumirpc.InstallDependenciesResponse]) error {
	dir := req.GetDirectory()
	if req.GetInfo().GetProgramDirectory() != "" {
		dir = req.GetInfo().GetProgramDirectory()
	}
	if _, err := os.Stat(filepath.Join(dir, "package.json")); err != nil {
		return nil
	}
	if req.GetIsPlugin() {
		if nodeBin, err := exec.LookPath("node"); err == nil {
			if sdk, err := resolveModule(nodeBin, dir, "@pulumi/pulumi"); err == nil {
				msg := fmt.Sprintf("dependencies already installed (@pulumi/pulumi resolves to %s)\n", sdk)
				return srv.Send(&pulumirpc.InstallDependenciesResponse{Stdout: []byte(msg)})
			}
		}
	}
	npm, err := exec.LookPath("npm")
	if err != nil {
		return status.Errorf(codes.FailedPrecondition, "npm not found on PATH: %v", err)
	}
	cmd := exec.Command(npm, "install")
	cmd.Dir = dir
	out, err := cmd.CombinedOutput()
	if len(out) > 0 {
		_ = srv.Send(&pulumirpc.InstallDependenciesResponse{Stdout: out})
	}
	if err != nil {
		return fmt.Errorf("npm install failed: %w", err)
	}
	return nil
}

func (h *host) About(ctx context.Context, req *pulumirpc.AboutRequest) (*pulumirpc.AboutResponse, error) {
	nodeBin, err := exec.LookPath("node")
	if err != nil {
		return nil, status.Errorf(codes.FailedPrecondition, "could not find node on the $PATH: %v", err)
	}
	out, err := exec.Command(nodeBin, "--version").Output()
	if err != nil {
		return nil, err
	}
	return &pulumirpc.AboutResponse{
		Executable: nodeBin,
		Version:    strings.TrimPrefix(strings.TrimSpace(string(out)), "v"),
		Metadata:   map[string]string{"languageHost": "pulumi-python-app minimal nodejs host " + version},
	}, nil
}

func (h *host) GetProgramDependencies(ctx context.Context, req *pulumirpc.GetProgramDependenciesRequest) (*pulumirpc.GetProgramDependenciesResponse, error) {
	dir := programDir(req.GetInfo(), req.GetProgram(), req.GetPwd())
	pj, err := readPackageJSON(filepath.Join(dir, "package.json"))
	if err != nil {
		return nil, fmt.Errorf("reading package.json: %w", err)
	}
	names := map[string]bool{}
	for n := range pj.Dependencies {
		names[n] = true
	}
	if req.GetTransitiveDependencies() {
		for n := range pj.DevDependencies {
			names[n] = true
		}
	}
	nm := nodeModulesDir(dir)
	var sorted []string
	for n := range names {
		sorted = append(sorted, n)
	}
	sort.Strings(sorted)
	resp := &pulumirpc.GetProgramDependenciesResponse{}
	for _, n := range sorted {
		v := ""
		if nm != "" {
			if dep, err := readPackageJSON(filepath.Join(nm, n, "package.json")); err == nil {
				v = dep.Version
			}
		}
		resp.Dependencies = append(resp.Dependencies, &pulumirpc.DependencyInfo{Name: n, Version: v})
	}
	return resp, nil
}
