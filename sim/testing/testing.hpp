// The regression-test kit in one include: <simsock/testing.hpp>. Link simsock::testing (and
// simsock::net_mock for the Google Mock mocks of the interface). docs/writing-tests.md.
#pragma once

#include "net/network.hpp"
#include "sim/testing/both_backends.hpp"
#include "sim/testing/fault_injection.hpp"
#include "sim/testing/process.hpp"
#include "sim/testing/seeds.hpp"
#include "sim/testing/simsock_test.hpp"
