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

package controller

import "context"

// step is one phase of a reconcile over its scope: it reads what the scope
// holds, computes with the domain packages, and records the outcome in the
// scope (conditions included). done ends the reconcile early, with the
// status as the scope holds it.
type step[S any] func(ctx context.Context, s S) (done bool, err error)

// runSteps runs a reconcile's phases in order until one is done or fails;
// the caller then writes the status once (writeStatus), whatever happened.
// Every reconciler is this loop over its own phases.
func runSteps[S any](ctx context.Context, s S, steps ...step[S]) error {
	for _, run := range steps {
		done, err := run(ctx, s)
		if err != nil || done {
			return err
		}
	}
	return nil
}
