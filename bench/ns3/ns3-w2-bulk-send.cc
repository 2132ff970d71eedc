// W2 on ns-3: BulkSendApplication -> PacketSink over one TCP connection, two nodes, a 1 ms
// 100 Gbit/s point-to-point link, packet-unit RateErrorModel loss on the receiver's device (data
// segments only, as simsock's tcp loss), 1448-byte segments (1460 minus ns-3's timestamp option,
// so packets fit a 1500-byte MTU). Prints the same JSON line as simsock-bench: payload bytes
// received by the sink per wall second of Simulator::Run().
#include <sys/resource.h>

#include <chrono>
#include <cinttypes>
#include <cstdio>

#include "ns3/applications-module.h"
#include "ns3/core-module.h"
#include "ns3/internet-module.h"
#include "ns3/network-module.h"
#include "ns3/point-to-point-module.h"

using namespace ns3;

// User + system CPU seconds of this process (bench/report.hpp's process_cpu_s).
static double cpu_seconds() {
  rusage u{};
  getrusage(RUSAGE_SELF, &u);
  auto secs = [](const timeval& t) { return static_cast<double>(t.tv_sec) + t.tv_usec / 1e6; };
  return secs(u.ru_utime) + secs(u.ru_stime);
}

int main(int argc, char** argv) {
  std::uint64_t bytes = 1ull << 30;
  double loss = 0.0;
  std::uint32_t send_size = 65536;
  CommandLine cmd;
  cmd.AddValue("bytes", "payload bytes to send", bytes);
  cmd.AddValue("loss", "loss probability per packet arriving at the receiver", loss);
  cmd.AddValue("send-size", "bytes the application hands to the socket per call", send_size);
  cmd.Parse(argc, argv);

  Config::SetDefault("ns3::TcpSocket::SegmentSize", UintegerValue(1448));
  NodeContainer nodes;
  nodes.Create(2);
  PointToPointHelper p2p;
  p2p.SetDeviceAttribute("DataRate", StringValue("100Gbps"));
  p2p.SetChannelAttribute("Delay", StringValue("1ms"));
  NetDeviceContainer devices = p2p.Install(nodes);
  if (loss > 0) {
    auto em = CreateObject<RateErrorModel>();
    em->SetAttribute("ErrorRate", DoubleValue(loss));
    em->SetAttribute("ErrorUnit", EnumValue(RateErrorModel::ERROR_UNIT_PACKET));
    devices.Get(1)->SetAttribute("ReceiveErrorModel", PointerValue(em));
  }
  InternetStackHelper stack;
  stack.Install(nodes);
  Ipv4AddressHelper addresses;
  addresses.SetBase("10.0.0.0", "255.255.255.0");
  Ipv4InterfaceContainer interfaces = addresses.Assign(devices);

  PacketSinkHelper sink("ns3::TcpSocketFactory", InetSocketAddress(Ipv4Address::GetAny(), 9));
  ApplicationContainer sink_apps = sink.Install(nodes.Get(1));
  BulkSendHelper bulk("ns3::TcpSocketFactory", InetSocketAddress(interfaces.GetAddress(1), 9));
  bulk.SetAttribute("MaxBytes", UintegerValue(bytes));
  bulk.SetAttribute("SendSize", UintegerValue(send_size));
  bulk.Install(nodes.Get(0));

  auto t0 = std::chrono::steady_clock::now();
  Simulator::Run();
  double wall = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  std::uint64_t events = Simulator::GetEventCount();
  double sim_s = Simulator::Now().GetSeconds();
  std::uint64_t received = DynamicCast<PacketSink>(sink_apps.Get(0))->GetTotalRx();
  Simulator::Destroy();
  std::printf("{\"workload\":\"ns3-w2\",\"wall_s\":%.6f,\"amount\":%" PRIu64
              ",\"unit\":\"bytes\",\"rate\":%.1f,\"events\":%" PRIu64
              ",\"sim_s\":%.3f,\"process_cpu_s\":%.6f}\n",
              wall, received, wall > 0 ? static_cast<double>(received) / wall : 0.0, events, sim_s,
              cpu_seconds());
  return received == bytes ? 0 : 1;
}
