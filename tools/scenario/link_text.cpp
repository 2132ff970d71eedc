// A link on its own goes through the loader's own link parser (parse_link_map), on a one-node
// YAML document, so its errors are the scenario files' errors.
#include <simsock/tools/scenario/link_text.hpp>

#include <simsock/tools/scenario/loader.hpp>
#include <simsock/tools/scenario/loader_parts.hpp>
#include <simsock/tools/scenario/loader_yaml.hpp>

namespace simsock::scenario {

sim::LinkPatch load_link_patch(std::string_view text, const std::string& source) {
  detail::check_text(text, source);
  YamlDocument doc(text, source);
  Field root(&source, doc.root(), "", YamlMark{0, 0});
  if (root.is_null()) root.fail("empty link (give a link like {latency: 20ms})");
  return detail::parse_link_map(root);
}

sim::LinkConfig load_link(std::string_view text, const std::string& source) {
  sim::LinkConfig link;
  load_link_patch(text, source).apply_to(link);
  return link;
}

}  // namespace simsock::scenario
