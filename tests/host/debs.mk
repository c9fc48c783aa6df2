# Tests of tools/debs.sh offline (a script; the host-tests loop runs it
# like the C tests). It reads the build's package cache.
HOST_TESTS += tests/host/test_debs.sh
export DEBS_CACHE
