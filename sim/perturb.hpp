// Schedule perturbation: a seeded order for events due at the same virtual instant and for
// handlers ready together, and an optional seeded delay before each completion handler runs.
// Real programs never see a FIFO scheduler; code that only works because two things happen in the
// order they were started has an ordering bug, and perturbation is how a seed exposes it
// (madsim's and turmoil's randomised task order are the models).
//
// Off by default: a world that never enables it orders events by (time, insertion order) and
// runs handlers FIFO, so every trace digest of an unperturbed run stays what it was.
#pragma once

#include <simsock/sim/config.hpp>

namespace simsock::sim {

struct PerturbOptions {
  // Same-instant agenda events and ready handlers run in an order drawn from the seed (stream
  // "perturb:order") instead of FIFO.
  bool order = false;
  // Each completion handler runs after an extra virtual delay drawn uniformly in [0, max_delay]
  // (stream "perturb:delay"); 0: none. A crash or kill fault first runs every handler still
  // delayed, so no handler of a host outlives its crash. At most 1 s (the loader's bound).
  Duration max_delay{0};

  bool enabled() const { return order || max_delay > Duration(0); }
};

}  // namespace simsock::sim
