/*
Copyright 2026.

Licensed under the Apache License, Version 2.0 (the "License");
you may not use this file except in compliance with the License.
You may obtain a copy of the License at

    http://www.apache.org/licenses/LICENSE-2.0

Unless required by applicable law or agreed to in writing, software
distributed under the License is distributed on an "AS IS" BASIS,
WITHOUT WARRANTIES OR CONDITIONS OF ANY KIND, either express or implied.
See the License for the specific language governing permissions and
limitations under the License.
*/

// Package cli implements kubectl-skillmatrix, the kubectl plugin of the
// skillmatrix operator: render, diff, propose, vote, review, status, assess,
// import and export. Every command is a cobra command built by
// NewRootCommand; the logic lives in the domain packages the operator uses
// too (internal/model, internal/render, internal/validation,
// internal/governance, internal/assess, internal/diff, internal/text), so the
// CLI and the operator never disagree: a command parses its flags, reads or
// writes the cluster and prints. docs/cli.md is the user's guide.
//
// It is the one package besides the controllers that holds a Kubernetes
// client. It must not import internal/controller (the operator's
// reconcilers), and no domain package may import it.
package cli

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"
	"k8s.io/cli-runtime/pkg/genericclioptions"
	"k8s.io/cli-runtime/pkg/genericiooptions"
)

// Exit codes.
const (
	ExitOK      = 0
	ExitFailure = 1 // the command failed, or what it was asked about does not exist
	ExitUsage   = 2 // the command line is wrong
)

// Output formats that several commands share.
const (
	formatJSON     = "json"
	formatMarkdown = "markdown"
	kindProposal   = "Proposal"
	kindBallot     = "Ballot"
	verbReview     = "review"
	verbVote       = "vote"
)

// commandName is how users call the plugin.
const commandName = "kubectl skillmatrix"

// usageError is a mistake on the command line: exit code 2.
type usageError struct{ err error }

func (e *usageError) Error() string { return e.err.Error() }
func (e *usageError) Unwrap() error { return e.err }

func usageErrorf(format string, args ...any) error {
	return &usageError{err: fmt.Errorf(format, args...)}
}

// exitCodeError ends the command with an exit code and no further message,
// for a result that is not an error but should fail a script (diff --exit-code).
type exitCodeError struct{ code int }

func (e *exitCodeError) Error() string { return fmt.Sprintf("exit code %d", e.code) }

// options are shared by every command.
type options struct {
	streams genericiooptions.IOStreams
	kube    *genericclioptions.ConfigFlags
	// locale is --locale: the texts' language for render, assess and diff.
	locale string
}

// NewRootCommand builds the command tree. Each call has its own flags and
// kubeconfig state, so tests can run commands side by side as different users.
func NewRootCommand(streams genericiooptions.IOStreams) *cobra.Command {
	o := &options{streams: streams, kube: genericclioptions.NewConfigFlags(true)}
	root := &cobra.Command{
		Use:   "kubectl-skillmatrix",
		Short: "Work with career skill matrices: render, diff, propose, vote, review, assess",
		Long: `kubectl skillmatrix works with the SkillMatrices, Roles and Proposals of the
skillmatrix operator (career.skillmatrix.dev).

Read a Role:      render, diff, export, assess
Change a Role:    propose, vote, review, withdraw, status
Spreadsheets:     export -o csv, import

Commands that read a Role work against the cluster (the current kubeconfig
context and namespace, or --kubeconfig, --context, -n) or offline from YAML
files with -f. Nothing but propose, vote, review and withdraw ever writes to the cluster.

Exit codes: 0 success, 1 failure or not found, 2 wrong usage.`,
		Annotations:   map[string]string{cobra.CommandDisplayNameAnnotation: commandName},
		SilenceErrors: true,
		SilenceUsage:  true,
	}
	root.SetIn(streams.In)
	root.SetOut(streams.Out)
	root.SetErr(streams.ErrOut)
	root.SetFlagErrorFunc(func(_ *cobra.Command, err error) error { return &usageError{err: err} })
	o.kube.AddFlags(root.PersistentFlags())

	root.AddCommand(
		newRenderCommand(o),
		newExportCommand(o),
		newImportCommand(o),
		newDiffCommand(o),
		newAssessCommand(o),
		newProposeCommand(o),
		newVoteCommand(o),
		newReviewCommand(o),
		newStatusCommand(o),
		newWithdrawCommand(o),
	)
	return root
}

// Run runs the plugin with args (without the program name) and returns the
// exit code; errors are printed to streams.ErrOut.
func Run(ctx context.Context, args []string, streams genericiooptions.IOStreams) int {
	root := NewRootCommand(streams)
	root.SetArgs(args)
	cmd, err := root.ExecuteContextC(ctx)
	if err == nil {
		return ExitOK
	}
	if code, ok := errors.AsType[*exitCodeError](err); ok {
		return code.code
	}
	_, _ = fmt.Fprintf(streams.ErrOut, "error: %v\n", err)
	if _, ok := errors.AsType[*usageError](err); ok || strings.HasPrefix(err.Error(), "unknown command") {
		path := commandName
		if cmd != nil {
			path = cmd.CommandPath() // starts with the display name, commandName
		}
		_, _ = fmt.Fprintf(streams.ErrOut, "Run '%s --help' for usage.\n", path)
		return ExitUsage
	}
	return ExitFailure
}

// args checks the positional arguments, as a usage error.
func args(lo, hi int, names string) cobra.PositionalArgs {
	return func(_ *cobra.Command, a []string) error {
		switch {
		case len(a) < lo:
			return usageErrorf("missing %s", names)
		case hi >= 0 && len(a) > hi:
			return usageErrorf("too many arguments: want %s, got %q", names, a)
		}
		return nil
	}
}

// checkOutput checks the value of -o against the allowed ones, as a usage error.
func checkOutput(value string, allowed ...string) error {
	if slices.Contains(allowed, value) {
		return nil
	}
	return usageErrorf("--output %q is not supported: want one of %s", value, strings.Join(allowed, ", "))
}

// changed says whether a flag was set on the command line.
func changed(fs *pflag.FlagSet, name string) bool {
	f := fs.Lookup(name)
	return f != nil && f.Changed
}
