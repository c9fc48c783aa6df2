/*
 * The vfs tests of test_vfs.c again, with the root file system reached
 * through remotefs and the file-system protocol (fs_loopback.h: tmpfs
 * served inside the test process). tmpfs behind the protocol must
 * behave exactly like tmpfs: every difference is a remotefs (or
 * protocol) bug. The tests that look at tmpfs's own counters see the
 * served instance, so they also check that FORGET gives inodes back.
 */
#define FX_REMOTEFS 1
#include "test_vfs.c"
