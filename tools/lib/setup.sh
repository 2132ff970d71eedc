# shellcheck shell=bash
# Shared set-up for tools/simsock and tools/test: install missing Debian packages, configure and
# build. Sourced, not run. Quiet when there is nothing to do.

simsock_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"

# Packages every build needs.
simsock_build_packages=(
  g++ cmake ninja-build pkg-config
  libboost1.81-dev libgtest-dev libgmock-dev libbenchmark-dev
  libcli11-dev libyaml-cpp-dev nlohmann-json3-dev libre2-dev libyaml-dev
)
# Extra packages the test suite needs (pcap decoding, the loader fuzzer, sanitizer runtimes).
simsock_test_packages=(tshark clang libclang-rt-14-dev python3 chromium)

simsock_apt_updated=0

# simsock_install PKG...: installs the packages that are not installed yet, saying which.
simsock_install() {
  local missing=() p
  for p in "$@"; do
    if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed'; then
      missing+=("$p")
    fi
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  echo "simsock: installing Debian packages: ${missing[*]}" >&2
  local sudo=()
  [ "$(id -u)" -ne 0 ] && sudo=(sudo)
  if [ "$simsock_apt_updated" -eq 0 ]; then
    "${sudo[@]}" apt-get update -qq >&2 || return 1
    simsock_apt_updated=1
  fi
  DEBIAN_FRONTEND=noninteractive "${sudo[@]}" apt-get install -y -qq --no-install-recommends \
    "${missing[@]}" >/dev/null || return 1
}

# simsock_build DIR BUILD_TYPE [CMAKE_ARGS...]: configures DIR once and builds it; prints the
# build log only when something was rebuilt or failed.
simsock_build() {
  local dir="$1" type="$2"
  shift 2
  local log
  log="$(mktemp)"
  if [ ! -f "$dir/CMakeCache.txt" ]; then
    echo "simsock: configuring $dir ($type)" >&2
    if ! cmake -S "$simsock_root" -B "$dir" -G Ninja -DCMAKE_BUILD_TYPE="$type" "$@" >"$log" 2>&1; then
      cat "$log" >&2
      rm -f "$log"
      return 1
    fi
  fi
  if ! cmake --build "$dir" -j "$(nproc)" >"$log" 2>&1; then
    cat "$log" >&2
    rm -f "$log"
    return 1
  fi
  if ! grep -q 'no work to do' "$log"; then
    echo "simsock: built $dir ($(grep -c '^\[' "$log") steps)" >&2
  fi
  rm -f "$log"
}
