// Command pulumi-language-yaml is the YAML language host for the Pulumi CLI,
// built from github.com/pulumi/pulumi-yaml's server package with two changes to
// that module's own main (cmd/pulumi-language-yaml at the pinned version):
//
//   - Link answers with an empty response.  `pulumi package add` calls the
//     target language's Link after writing the package's lock file under sdks/;
//     YAML programs need no linking (the lock file is all the YAML host reads),
//     and the pinned version does not implement the method yet (later upstream
//     versions answer the same way), so without this `package add` fails before
//     it records the package in Pulumi.yaml.
//   - Schemas are loaded through the engine's loader (useRPCLoader), which the
//     CLI passes in RunRequest.LoaderTarget, instead of a plugin host of the YAML
//     host's own.  The engine's loader knows the project's `packages:`, runs a
//     source plugin (PulumiPlugin.yaml) through its language host, and needs no
//     other language host next to this binary.
//
// Flags, the engine health check and the port printed on stdout are as upstream.
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"time"

	"github.com/pulumi/pulumi-yaml/pkg/server"
	"github.com/pulumi/pulumi/sdk/v3/go/common/util/cmdutil"
	"github.com/pulumi/pulumi/sdk/v3/go/common/util/logging"
	"github.com/pulumi/pulumi/sdk/v3/go/common/util/rpcutil"
	pulumirpc "github.com/pulumi/pulumi/sdk/v3/proto/go"
	"google.golang.org/grpc"
)

// host is pulumi-yaml's language host plus Link.
type host struct {
	pulumirpc.LanguageRuntimeServer
}

// Link has nothing to link for YAML: the package's lock file under sdks/ is
// what the host reads when it runs the program.
func (host) Link(context.Context, *pulumirpc.LinkRequest) (*pulumirpc.LinkResponse, error) {
	return &pulumirpc.LinkResponse{}, nil
}

func main() {
	var tracing, root, compiler string
	flag.StringVar(&tracing, "tracing", "", "Emit tracing to a Zipkin-compatible tracing endpoint")
	flag.StringVar(&root, "root", "", "Root of the program execution")
	flag.StringVar(&compiler, "compiler", "", "[obsolete] Compiler to use to pre-process YAML")
	flag.Parse()
	args := flag.Args()
	logging.InitLogging(false, 0, false)
	cmdutil.InitTracing("pulumi-language-yaml", "pulumi-language-yaml", tracing)

	// The first argument is the engine's address: stop when it stops answering.
	var engineAddress string
	var cancel chan bool
	if len(args) > 0 {
		engineAddress = args[0]
		var err error
		if cancel, err = healthChecks(engineAddress); err != nil {
			cmdutil.Exit(fmt.Errorf("could not start health check host RPC server: %w", err))
		}
	}

	handle, err := rpcutil.ServeWithOptions(rpcutil.ServeOptions{
		Cancel: cancel,
		Init: func(srv *grpc.Server) error {
			yaml := server.NewLanguageHost(engineAddress, tracing, true /* useRPCLoader */)
			pulumirpc.RegisterLanguageRuntimeServer(srv, host{yaml})
			return nil
		},
	})
	if err != nil {
		cmdutil.Exit(fmt.Errorf("could not start language host RPC server: %w", err))
	}
	// The spawner reads the port from the first line of stdout.
	fmt.Printf("%d\n", handle.Port)
	if err := <-handle.Done; err != nil {
		cmdutil.Exit(fmt.Errorf("language host RPC stopped serving: %w", err))
	}
}

// healthChecks returns a channel closed when the engine stops answering or on
// SIGINT; the RPC server stops serving then.
func healthChecks(engineAddress string) (chan bool, error) {
	ctx, cancel := signal.NotifyContext(context.Background(), os.Interrupt)
	done := make(chan bool)
	go func() {
		<-ctx.Done()
		cancel()
		close(done)
	}()
	if err := rpcutil.Healthcheck(ctx, engineAddress, 5*time.Minute, cancel); err != nil {
		return nil, err
	}
	return done, nil
}
