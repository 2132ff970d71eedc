#include <simsock/tools/report/html_recorder.hpp>

#include <simsock/tools/report/html_report.hpp>
#include <simsock/tools/report/timeline.hpp>

namespace simsock::report {

HtmlRecorder::HtmlRecorder(sim::World& world)
    : timeline_(std::make_unique<Timeline>(std::vector<std::pair<std::string, std::string>>{},
                                           k_html_max_items)) {
  world.add_trace_sink(timeline_.get());
  world.add_packet_sink(timeline_.get());
}

HtmlRecorder::~HtmlRecorder() = default;

void HtmlRecorder::add_lane(const std::string& name, const std::string& address) {
  timeline_->add_lane(name, address);
}

std::string HtmlRecorder::render(const ReportHeader& header) const {
  return render_html(*timeline_, header);
}

}  // namespace simsock::report
