#include <simsock/sim/path.hpp>

#include <simsock/sim/host.hpp>

namespace simsock::sim {

Path::Path(std::uint64_t seed, HostImpl& from, HostImpl& to, const LinkConfig& cfg)
    : LinkModel(seed, "path:" + from.name() + "->" + to.name(), cfg), from_(&from), to_(&to) {}

}  // namespace simsock::sim
