# Tests of the image as built and of `make image EXTRA_ROOT=dir` (a
# script; the host-tests loop runs it like the C tests). It reads
# build/image, so the host tests wait for the image.
HOST_TESTS += tests/host/test_image.sh
host-tests: $(IMAGE)
