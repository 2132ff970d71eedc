// The regression-test kit in one include: <simsock/testing.hpp>. Link simsock::testing (and
// simsock::net_mock for the Google Mock mocks of the interface). docs/writing-tests.md.
#pragma once

#include <simsock/net/network.hpp>
#include <simsock/sim/testing/both_backends.hpp>
#include <simsock/sim/testing/exploring.hpp>
#include <simsock/sim/testing/fault_injection.hpp>
#include <simsock/sim/testing/process.hpp>
#include <simsock/sim/testing/seeds.hpp>
#include <simsock/sim/testing/simsock_test.hpp>
