// Which faults of a timeline undo which: a partition and the heal that ends it, a clog and its
// release, a crash and the restart, a link change and the later change of the same settings on
// the same pair (as a chaos link episode restores them). Shrinking treats such a pair as one
// fault with a duration: it removes both or neither, and shortens it by moving the undo earlier,
// so that a short fault never becomes a permanent one.
#pragma once

#include <cstddef>
#include <optional>
#include <vector>

#include <simsock/sim/config.hpp>

namespace simsock::scenario {

// A fault and, when a later fault undoes it, that undo; indices into the timeline.
struct FaultUnit {
  std::size_t fault = 0;
  std::optional<std::size_t> undo;
};

// True for the faults that undo another: heal, release, restart.
bool is_undo(const sim::Fault& f);

// The units of `faults` (sorted by time), in the order of their first fault. Each undo pairs
// with the latest earlier fault it undoes that no other undo has taken: a heal or release with a
// partition or clog of the same pair (a two-way undo also takes a one-way fault of its hosts), a
// restart with a crash of its host, a link change with an earlier change of the same settings on
// the same pair. Every index appears in exactly one unit; an undo with nothing to undo is a unit
// of its own.
std::vector<FaultUnit> fault_units(const std::vector<sim::Fault>& faults);

}  // namespace simsock::scenario
