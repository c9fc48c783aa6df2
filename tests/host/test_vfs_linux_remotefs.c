/*
 * test_vfs_linux.c (the vfs against the host kernel, call for call) with
 * the root reached through remotefs and the file-system protocol
 * (fs_loopback.h: tmpfs served inside the test process).
 */
#define FX_REMOTEFS 1
#include "test_vfs_linux.c"
