// W1 on ns-3: UDP echo between two nodes over a 1 ms point-to-point link with packet-unit
// RateErrorModel loss on both receiving devices. UdpEchoClient cannot wait for replies, so it
// sends every `interval` (default 2.01 ms, just over one round trip: one datagram in flight, as
// udp-ping with interval 0). Prints the same JSON line as simsock-bench: delivered datagrams
// (echo server receptions + client receptions) per wall second of Simulator::Run().
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

namespace {
std::uint64_t delivered = 0;
void count_rx(Ptr<const Packet>) {
  ++delivered;
}
}  // namespace

int main(int argc, char** argv) {
  std::uint32_t count = 1000000;
  std::uint32_t size = 64;
  double loss = 0.01;
  std::uint32_t interval_us = 2010;
  CommandLine cmd;
  cmd.AddValue("count", "datagrams the client sends", count);
  cmd.AddValue("size", "payload bytes per datagram", size);
  cmd.AddValue("loss", "packet loss probability per receiving device", loss);
  cmd.AddValue("interval-us", "microseconds between client sends", interval_us);
  cmd.Parse(argc, argv);

  NodeContainer nodes;
  nodes.Create(2);
  PointToPointHelper p2p;
  p2p.SetDeviceAttribute("DataRate", StringValue("100Gbps"));
  p2p.SetChannelAttribute("Delay", StringValue("1ms"));
  NetDeviceContainer devices = p2p.Install(nodes);
  if (loss > 0) {
    for (std::uint32_t i = 0; i < devices.GetN(); ++i) {
      auto em = CreateObject<RateErrorModel>();
      em->SetAttribute("ErrorRate", DoubleValue(loss));
      em->SetAttribute("ErrorUnit", EnumValue(RateErrorModel::ERROR_UNIT_PACKET));
      devices.Get(i)->SetAttribute("ReceiveErrorModel", PointerValue(em));
    }
  }
  InternetStackHelper stack;
  stack.Install(nodes);
  Ipv4AddressHelper addresses;
  addresses.SetBase("10.0.0.0", "255.255.255.0");
  Ipv4InterfaceContainer interfaces = addresses.Assign(devices);

  UdpEchoServerHelper server(9);
  ApplicationContainer server_apps = server.Install(nodes.Get(1));
  UdpEchoClientHelper client(interfaces.GetAddress(1), 9);
  client.SetAttribute("MaxPackets", UintegerValue(count));
  client.SetAttribute("Interval", TimeValue(MicroSeconds(interval_us)));
  client.SetAttribute("PacketSize", UintegerValue(size));
  ApplicationContainer client_apps = client.Install(nodes.Get(0));
  server_apps.Get(0)->TraceConnectWithoutContext("Rx", MakeCallback(&count_rx));
  client_apps.Get(0)->TraceConnectWithoutContext("Rx", MakeCallback(&count_rx));

  auto t0 = std::chrono::steady_clock::now();
  Simulator::Run();
  double wall = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  std::uint64_t events = Simulator::GetEventCount();
  double sim_s = Simulator::Now().GetSeconds();
  Simulator::Destroy();
  std::printf("{\"workload\":\"ns3-w1\",\"wall_s\":%.6f,\"amount\":%" PRIu64
              ",\"unit\":\"datagrams\",\"rate\":%.1f,\"events\":%" PRIu64
              ",\"sim_s\":%.3f,\"process_cpu_s\":%.6f}\n",
              wall, delivered, wall > 0 ? static_cast<double>(delivered) / wall : 0.0, events,
              sim_s, cpu_seconds());
  return delivered > 0 ? 0 : 1;
}
