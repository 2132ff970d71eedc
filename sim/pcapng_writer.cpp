// How the pcapng writer works: every block is assembled in a byte vector (little-endian fields,
// options padded to 32 bits) and written whole. A packet record is kept until the path's decision
// for it arrives (PacketSink::on_passage, in the same call), so its enhanced packet block can
// carry the decision as a comment and sit on the sending host's interface; an interface
// description block is written the first time a host sends.
#include <simsock/sim/pcapng_writer.hpp>

#include <cerrno>
#include <fstream>
#include <ostream>
#include <stdexcept>
#include <system_error>

#include <simsock/net/units.hpp>

namespace simsock::sim {
namespace {

constexpr std::uint32_t k_section_header = 0x0A0D0D0A;
constexpr std::uint32_t k_interface_description = 1;
constexpr std::uint32_t k_enhanced_packet = 6;
constexpr std::uint16_t k_opt_end = 0, k_opt_comment = 1;
constexpr std::uint16_t k_shb_userappl = 4;
constexpr std::uint16_t k_if_name = 2, k_if_description = 3, k_if_tsresol = 9;

void put16(std::vector<std::uint8_t>& b, std::uint16_t v) {
  b.push_back(static_cast<std::uint8_t>(v));
  b.push_back(static_cast<std::uint8_t>(v >> 8));
}
void put32(std::vector<std::uint8_t>& b, std::uint32_t v) {
  for (int i = 0; i < 4; ++i) b.push_back(static_cast<std::uint8_t>(v >> (8 * i)));
}
void pad4(std::vector<std::uint8_t>& b) {
  while (b.size() % 4) b.push_back(0);
}
void put_option(std::vector<std::uint8_t>& b, std::uint16_t code, const void* data,
                std::size_t len) {
  put16(b, code);
  put16(b, static_cast<std::uint16_t>(len));
  const auto* p = static_cast<const std::uint8_t*>(data);
  b.insert(b.end(), p, p + len);
  pad4(b);
}
void put_option(std::vector<std::uint8_t>& b, std::uint16_t code, const std::string& s) {
  put_option(b, code, s.data(), std::min<std::size_t>(s.size(), 65535));
}
void end_options(std::vector<std::uint8_t>& b) {
  put16(b, k_opt_end);
  put16(b, 0);
}

std::uint64_t to_epoch_ns(std::chrono::system_clock::time_point start) {
  auto ns = std::chrono::duration_cast<std::chrono::nanoseconds>(start.time_since_epoch()).count();
  if (ns < 0) {
    throw std::invalid_argument(
        "pcapng writer: the start time must not be before 1970-01-01 (timestamps are unsigned)");
  }
  return static_cast<std::uint64_t>(ns);
}

std::string dur(std::int64_t ns) {
  return net::format_duration(std::chrono::nanoseconds(ns));
}

void add(std::string& comment, const std::string& what) {
  if (!comment.empty()) comment += "; ";
  comment += what;
}

}  // namespace

PcapngWriter::PcapngWriter(const std::string& path, std::chrono::system_clock::time_point start,
                           PcapngOptions options)
    : name_("file '" + path + "'"), start_ns_(to_epoch_ns(start)), options_(options) {
  errno = 0;
  file_ = std::make_unique<std::ofstream>(path, std::ios::binary | std::ios::trunc);
  if (!file_->is_open()) {
    int err = errno != 0 ? errno : EIO;
    throw std::system_error(err, std::generic_category(), "cannot open pcapng " + name_);
  }
  out_ = file_.get();
  write_section_header();
}

PcapngWriter::PcapngWriter(std::ostream& out, std::chrono::system_clock::time_point start,
                           PcapngOptions options)
    : out_(&out), name_("stream"), start_ns_(to_epoch_ns(start)), options_(options) {
  write_section_header();
}

PcapngWriter::~PcapngWriter() {
  if (pending_) write_pending(nullptr);
  if (!ok()) return;
  try {
    out_->flush();
  } catch (const std::ios_base::failure&) {
    // a destructor cannot report it; flush() first when it matters
  }
}

void PcapngWriter::write_section_header() {
  std::vector<std::uint8_t> b;
  put32(b, 0x1A2B3C4D);  // byte-order magic
  put16(b, 1);           // version 1.0
  put16(b, 0);
  put32(b, 0xffffffff);  // section length: not given
  put32(b, 0xffffffff);
  put_option(b, k_shb_userappl, std::string("simsock"));
  end_options(b);
  write_block(k_section_header, b);
}

std::uint32_t PcapngWriter::interface_for(const std::string& name) {
  if (auto it = interfaces_.find(name); it != interfaces_.end()) return it->second;
  auto id = static_cast<std::uint32_t>(interfaces_.size());
  interfaces_.emplace(name, id);
  std::vector<std::uint8_t> b;
  put16(b, static_cast<std::uint16_t>(linktype_raw));
  put16(b, 0);
  put32(b, snaplen);
  put_option(b, k_if_name, name);
  put_option(b, k_if_description, "packets sent by simulated host " + name);
  std::uint8_t nanoseconds = 9;
  put_option(b, k_if_tsresol, &nanoseconds, 1);
  end_options(b);
  write_block(k_interface_description, b);
  return id;
}

void PcapngWriter::on_event(const TraceEvent& e) {
  if (e.kind != "tcp.retransmit") return;
  retransmit_t_ = e.t;
  retransmit_src_ = e.src;
  retransmit_dst_ = e.dst;
  retransmit_seq_ = e.seq;
}

void PcapngWriter::on_packet(const PacketRecord& p) {
  check_record(p);
  if (p.t < 0) {
    throw std::invalid_argument("pcapng writer: packet time " + std::to_string(p.t) +
                                "ns is before the start");
  }
  if (pending_) write_pending(nullptr);
  Pending next;
  next.record = p;
  next.payload.assign(p.payload, p.payload + p.payload_len);
  next.record.payload = nullptr;
  if (p.proto == PacketRecord::Proto::tcp && retransmit_t_ == p.t && p.payload_len > 0 &&
      retransmit_src_ == p.src.to_string() && retransmit_dst_ == p.dst.to_string()) {
    add(next.comment, "retransmission of stream offset " + std::to_string(retransmit_seq_));
    retransmit_t_ = -1;
  }
  pending_ = std::move(next);
}

void PcapngWriter::on_passage(const PacketPassage& d) {
  if (!pending_) return;  // a clogged packet released: it was written when it was held
  write_pending(&d);
}

void PcapngWriter::write_pending(const PacketPassage* d) {
  Pending p = std::move(*pending_);
  pending_.reset();
  std::string host = d ? std::string(d->from) : p.record.src.address.to_string();
  if (d) {
    using V = PacketPassage::Verdict;
    if (d->verdict == V::dropped) {
      if (!options_.include_dropped) return;
      add(p.comment, "dropped: " + std::string(d->reason));
    } else if (d->verdict == V::held) {
      add(p.comment, "held: the path is clogged; sent again on release");
    } else {
      const std::int64_t transit = d->arrival - d->t;
      if (d->reordered) add(p.comment, "reordered: held back, arrives after " + dur(transit));
      if (transit > d->latency && !d->reordered) {
        add(p.comment, "delayed: arrives after " + dur(transit) + " (latency " + dur(d->latency) +
                           " + " + dur(transit - d->latency) + ")");
      }
      if (d->duplicate_at >= 0) {
        add(p.comment, "duplicated: a second copy arrives after " + dur(d->duplicate_at - d->t));
      }
    }
  }
  if (!ok()) return;
  const std::uint32_t iface = interface_for(host);
  p.record.payload = p.payload.data();
  for_each_ip_packet(p.record, ip_id_, [&](const IpPacket& ip) {
    std::vector<std::uint8_t> b;
    b.reserve(32 + ip.size() + p.comment.size());
    const std::uint64_t ts = start_ns_ + static_cast<std::uint64_t>(p.record.t);
    put32(b, iface);
    put32(b, static_cast<std::uint32_t>(ts >> 32));
    put32(b, static_cast<std::uint32_t>(ts));
    put32(b, static_cast<std::uint32_t>(ip.size()));  // captured length
    put32(b, static_cast<std::uint32_t>(ip.size()));  // original length
    b.insert(b.end(), ip.headers, ip.headers + ip.header_len);
    b.insert(b.end(), ip.payload, ip.payload + ip.payload_len);
    pad4(b);
    if (!p.comment.empty()) {
      put_option(b, k_opt_comment, p.comment);
      end_options(b);
    }
    write_block(k_enhanced_packet, b);
    if (ok()) ++packets_;
    return ok();
  });
}

void PcapngWriter::write_block(std::uint32_t type, const std::vector<std::uint8_t>& body) {
  std::vector<std::uint8_t> head;
  const auto total = static_cast<std::uint32_t>(body.size() + 12);
  put32(head, type);
  put32(head, total);
  write_bytes(head.data(), head.size());
  write_bytes(body.data(), body.size());
  write_bytes(head.data() + 4, 4);
}

void PcapngWriter::write_bytes(const std::uint8_t* data, std::size_t len) {
  if (!ok() || len == 0) return;
  errno = 0;
  try {
    out_->write(reinterpret_cast<const char*>(data), static_cast<std::streamsize>(len));
  } catch (const std::ios_base::failure&) {
    // a stream with exceptions enabled: reported like any other failure
  }
  if (!*out_) fail(errno);
}

void PcapngWriter::fail(int err) {
  errno_ = err != 0 ? err : EIO;
  error_ = "cannot write pcapng " + name_ + ": " + std::generic_category().message(errno_);
}

void PcapngWriter::flush() {
  if (pending_) write_pending(nullptr);
  if (ok()) {
    errno = 0;
    try {
      out_->flush();
    } catch (const std::ios_base::failure&) {
      // reported below
    }
    if (!*out_) fail(errno);
  }
  if (!ok()) {
    throw std::system_error(errno_, std::generic_category(), "cannot write pcapng " + name_);
  }
}

}  // namespace simsock::sim
