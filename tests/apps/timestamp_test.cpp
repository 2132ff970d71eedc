// The servers' reply prefix is formatted by hand on the per-datagram path; it must stay exactly
// what the seed's strftime("[%Y-%m-%d %H:%M:%S] ") writes for four-digit years, and what the
// general formatter (snprintf "%04d") writes for the others.
#include <gtest/gtest.h>

#include <chrono>
#include <cstdio>
#include <ctime>

#include <simsock/apps/common.hpp>

namespace simsock::apps {
namespace {

using namespace std::chrono;

std::string with_snprintf(sys_seconds t) {
  auto day = floor<days>(t);
  year_month_day ymd{day};
  hh_mm_ss<seconds> hms{t - day};
  char buf[64];
  std::snprintf(buf, sizeof buf, "[%04d-%02u-%02u %02d:%02d:%02d] ", static_cast<int>(ymd.year()),
                static_cast<unsigned>(ymd.month()), static_cast<unsigned>(ymd.day()),
                static_cast<int>(hms.hours().count()), static_cast<int>(hms.minutes().count()),
                static_cast<int>(hms.seconds().count()));
  return buf;
}

std::string with_strftime(sys_seconds t) {
  const std::time_t tt = static_cast<std::time_t>(t.time_since_epoch().count());
  std::tm tm{};
  gmtime_r(&tt, &tm);
  char buf[64];
  std::strftime(buf, sizeof buf, "[%Y-%m-%d %H:%M:%S] ", &tm);
  return buf;
}

TEST(TimestampPrefix, IsWhatStrftimeWritesAcrossDaysMonthsYearsAndLeapDays) {
  const sys_seconds starts[] = {
      sys_days{year{2000} / 1 / 1},   sys_days{year{2000} / 2 / 28}, sys_days{year{1999} / 12 / 31},
      sys_days{year{2024} / 2 / 29},  sys_days{year{1970} / 1 / 1},  sys_days{year{2100} / 3 / 1},
      sys_days{year{9999} / 12 / 31}, sys_days{year{1} / 1 / 1},     sys_days{year{-5} / 1 / 1}};
  for (auto start : starts) {
    // Every second of a window that crosses midnight, and steps of 7,919 s for about a year.
    for (seconds s{-120}; s < seconds{120}; ++s) {
      auto t = start + s;
      ASSERT_EQ(format_timestamp_prefix(t), with_snprintf(t)) << t.time_since_epoch().count();
      if (year_month_day{floor<days>(t)}.year() >= year{1000}) {
        ASSERT_EQ(format_timestamp_prefix(t), with_strftime(t)) << t.time_since_epoch().count();
      }
    }
    for (seconds s{0}; s < days{370}; s += seconds{7919}) {
      auto t = start + s;
      ASSERT_EQ(format_timestamp_prefix(t), with_snprintf(t)) << t.time_since_epoch().count();
    }
  }
}

TEST(TimestampPrefix, PadsTheYearToFourDigitsAndGivesWholeSeconds) {
  EXPECT_EQ(
      format_timestamp_prefix(sys_days{year{2000} / 1 / 1} + hours{23} + minutes{59} + seconds{59}),
      "[2000-01-01 23:59:59] ");
  EXPECT_EQ(format_timestamp_prefix(sys_days{year{987} / 6 / 5}), "[0987-06-05 00:00:00] ");
}

}  // namespace
}  // namespace simsock::apps
