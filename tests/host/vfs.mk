# Host tests of the posix server's file-system parts (servers/posix): the vfs
# over tmpfs, the sparse page map and directory index under it, devfs
# with the memory devices, ChaCha20 and the random generator.
VFS_TEST_HDRS := $(wildcard servers/posix/*.h) $(wildcard abi/linux_abi/*.h) \
	tests/host/posix_fixture.h
VFS_TEST_SRCS := servers/posix/vfs.c servers/posix/vfs_walk.c \
	servers/posix/vfs_ops.c servers/posix/vfs_file.c servers/posix/file.c \
	servers/posix/tmpfs.c servers/posix/dirindex.c servers/posix/pagemap.c
VFS_TEST_DEV_SRCS := servers/posix/devfs.c servers/posix/memdev.c \
	servers/posix/csprng.c servers/posix/chacha20.c

$(eval $(call host_test,test_pagemap,servers/posix/pagemap.c))
$(eval $(call host_test,test_dirindex,servers/posix/dirindex.c))
$(eval $(call host_test,test_chacha20,servers/posix/chacha20.c \
	servers/posix/csprng.c))
$(eval $(call host_test,test_vfs,$(VFS_TEST_SRCS)))
$(eval $(call host_test,test_devfs,$(VFS_TEST_SRCS) $(VFS_TEST_DEV_SRCS)))
$(BUILD)/host/test_pagemap $(BUILD)/host/test_dirindex \
	$(BUILD)/host/test_chacha20 $(BUILD)/host/test_vfs \
	$(BUILD)/host/test_devfs: $(VFS_TEST_HDRS)

# abi/linux_abi/ against the host C library's headers (x86_64 Linux).
$(eval $(call host_test,test_linux_abi,))
$(BUILD)/host/test_linux_abi: $(wildcard abi/linux_abi/*.h)

# The vfs against the host kernel, call for call (needs root; see the
# test's opening comment).
$(eval $(call host_test,test_vfs_linux,$(VFS_TEST_SRCS)))
$(BUILD)/host/test_vfs_linux: $(VFS_TEST_HDRS)

# The same vfs tests over remotefs (the posix server's client of the
# file-system protocol) serving tmpfs through the protocol.
$(eval $(call host_test,test_vfs_remotefs,$(VFS_TEST_SRCS) \
	servers/posix/remotefs.c lib/proto/proto.c lib/fsserve/fsserve.c servers/memfs/backend.c))
$(BUILD)/host/test_vfs_remotefs: $(VFS_TEST_HDRS) tests/host/test_vfs.c \
	tests/host/fs_loopback.h abi/keel/proto/fs.h lib/fsserve/fsserve.h servers/memfs/backend.h
$(eval $(call host_test,test_vfs_linux_remotefs,$(VFS_TEST_SRCS) \
	servers/posix/remotefs.c lib/proto/proto.c lib/fsserve/fsserve.c servers/memfs/backend.c))
$(BUILD)/host/test_vfs_linux_remotefs: $(VFS_TEST_HDRS) \
	tests/host/test_vfs_linux.c tests/host/fs_loopback.h lib/fsserve/fsserve.h servers/memfs/backend.h \
	abi/keel/proto/fs.h

# remotefs against a server that misbehaves or is gone.
$(eval $(call host_test,test_remotefs,$(VFS_TEST_SRCS) \
	servers/posix/remotefs.c lib/proto/proto.c lib/fsserve/fsserve.c servers/memfs/backend.c))
$(BUILD)/host/test_remotefs: $(VFS_TEST_HDRS) tests/host/fs_loopback.h \
	abi/keel/proto/fs.h

# lib/fsserve against a hostile client.
$(eval $(call host_test,test_fsserve,$(VFS_TEST_SRCS) \
	servers/posix/remotefs.c lib/proto/proto.c lib/fsserve/fsserve.c servers/memfs/backend.c))
$(BUILD)/host/test_fsserve: $(VFS_TEST_HDRS) tests/host/fs_loopback.h \
	abi/keel/proto/fs.h lib/fsserve/fsserve.h servers/memfs/backend.h
