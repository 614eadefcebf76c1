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

package v1alpha1

import "slices"

// The phase rules of a Proposal. They are the one answer the controllers,
// the CLI, the portal and the admission policies give: the policies list
// the same sets in CEL (variables closedPhases and openPhases), and
// config/admission's tests hold every phase list of every policy to these.

// ClosedPhases are the phases after which nothing about a Proposal changes:
// the operator never promotes, commits or re-judges it, and admission
// freezes its votes and reviews. A person who still wants the change
// proposes it again.
func ClosedPhases() []ProposalPhase {
	return []ProposalPhase{PhaseApplied, PhaseRejected, PhaseExpired, PhaseConflicted, PhaseInvalid,
		PhaseWithdrawn, PhaseAbandoned, PhaseDiverged, PhaseTimedOut}
}

// OpenPhases are the phases of a Proposal that waits for its decision:
// not judged by the operator yet, or Open.
func OpenPhases() []ProposalPhase {
	return []ProposalPhase{"", PhaseOpen}
}

// InFlightPhases are the phases in which the operator still has work to do
// for a Proposal nobody needs to act on: promoting it into the Role, or,
// with Git write-back, committing it and waiting for the sync.
func InFlightPhases() []ProposalPhase {
	return []ProposalPhase{PhaseAccepted, PhaseCommitted}
}

// IsClosed reports whether nothing about the Proposal changes any more (see
// ClosedPhases).
func (p ProposalPhase) IsClosed() bool { return slices.Contains(ClosedPhases(), p) }

// VotesFrozen reports whether votes and reviews can no longer be added,
// changed or removed: exactly when the Proposal is closed. Until then a
// ballot may still change the outcome (an accepted Proposal is judged again
// before it is promoted).
func (p ProposalPhase) VotesFrozen() bool { return p.IsClosed() }

// IsOpen reports whether the Proposal waits for its decision (see
// OpenPhases).
func (p ProposalPhase) IsOpen() bool { return slices.Contains(OpenPhases(), p) }

// Withdrawable reports whether the author may still withdraw the Proposal:
// exactly while it is open. Once accepted, the decision is carried out.
func (p ProposalPhase) Withdrawable() bool { return p.IsOpen() }

// InFlight reports whether the operator is still carrying an accepted
// Proposal out (see InFlightPhases).
func (p ProposalPhase) InFlight() bool { return slices.Contains(InFlightPhases(), p) }

// IsGitEnded reports the phases a committed Proposal ends in without
// reaching the Role: Abandoned, Diverged and TimedOut.
func (p ProposalPhase) IsGitEnded() bool {
	return p == PhaseAbandoned || p == PhaseDiverged || p == PhaseTimedOut
}
